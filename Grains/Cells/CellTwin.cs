using System.Buffers.Binary;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Cells;

/// <summary>
/// What a cell keeps of one twin between changes: the summary's fields, with its reported values
/// packed into one exactly sized byte array rather than an array of <see cref="Reading"/>s, which
/// takes several times the room. A cell holds an entry for every twin in its area, so with a million
/// twins each byte here is a megabyte.
/// <para>
/// Each value is a property byte, a form byte (the value's <see cref="PropertyType"/> in the low two
/// bits, how its number is written above them) and what the form needs. Readings are mostly short
/// decimals (a dim level of 80, 234.6 V, a power factor of 0.99), so a number that is exactly
/// <c>m / 10^k</c> for a small integer <c>m</c> and <c>k</c> of 0 to 3 is written as <c>m</c> in 1, 2
/// or 4 bytes; 0 and 1 (and so every flag) take no bytes; any other number keeps all 8 bytes of its
/// double. A number is only written short when reading it back gives the very same double, bit for
/// bit, so the summary handed out is the one the twin sent. Texts are kept by their index into a
/// string array that only twins with text values have.
/// </para>
/// </summary>
internal readonly struct CellTwin
{
    private const int HeaderSize = 2;
    private const int TypeMask = 0b11;
    private const int FormShift = 2;

    // Forms of a number (above the type bits).
    private const int FormDouble = 0;
    private const int FormZero = 1;
    private const int FormOne = 2;
    private const int FormScaled = 3; // FormScaled + width index * 4 + decimal places: 3 to 14.

    private static readonly double[] PowersOfTen = [1, 10, 100, 1000];

    /// <summary>The packed values (a byte array), or for a twin with text values a <see cref="Texted"/>.</summary>
    private readonly object? _packed;

    /// <summary>The version in the low 56 bits and the status in the top 8, so the struct has no padding.</summary>
    private readonly long _versionAndStatus;

    private const int StatusShift = 56;
    private const long VersionMask = (1L << StatusShift) - 1;

    private CellTwin(long version, GeoPoint position, TwinStatus status, DateTime at, object? packed)
    {
        _versionAndStatus = (version & VersionMask) | ((long)status << StatusShift);
        Position = position;
        At = at;
        _packed = packed;
    }

    /// <summary>The twin's version (kept to 56 bits: a twin changing a million times a second reaches that in two thousand years).</summary>
    public long Version => _versionAndStatus & VersionMask;

    public GeoPoint Position { get; }

    public TwinStatus Status => (TwinStatus)(byte)((ulong)_versionAndStatus >> StatusShift);

    public DateTime At { get; }

    /// <summary>How many bytes the packed values take (without the array's own header).</summary>
    internal int PackedSize => Values.Length;

    private byte[] Values => _packed as byte[] ?? ((Texted?)_packed)?.Values ?? [];

    private string?[]? Texts => (_packed as Texted)?.Texts;

    /// <summary>
    /// The entry for <paramref name="summary"/>, written into the arrays of <paramref name="previous"/>
    /// (the twin's entry until now, if any) when they have the sizes it needs, as they mostly do when a
    /// twin reports the same properties again: a twin's values then cost no new array per change, which
    /// would otherwise live until its next change and be copied through the collector's young generations.
    /// </summary>
    public static CellTwin From(TwinSummary summary, in CellTwin previous = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        Reading[] values = summary.Values;
        Span<byte> forms = values.Length <= 64 ? stackalloc byte[values.Length] : new byte[values.Length];
        Span<int> scaled = values.Length <= 64 ? stackalloc int[values.Length] : new int[values.Length];
        int size = 0;
        int texts = 0;
        for (int i = 0; i < values.Length; i++)
        {
            PropertyValue value = values[i].Value;
            if (value.Type == PropertyType.Text)
            {
                texts++;
                forms[i] = (byte)PropertyType.Text;
                size += HeaderSize + 1;
            }
            else
            {
                int form = NumberForm(value.Number, out scaled[i]);
                forms[i] = (byte)(((int)value.Type & TypeMask) | (form << FormShift));
                size += HeaderSize + PayloadSize(form);
            }
        }

        if (texts > byte.MaxValue)
        {
            throw new ArgumentException("a summary holds at most 255 text values", nameof(summary));
        }

        byte[] reuse = previous.Values;
        byte[] packed = reuse.Length == size ? reuse : size == 0 ? [] : new byte[size];
        string?[]? strings = null;
        if (texts > 0)
        {
            strings = previous.Texts is { } reuseTexts && reuseTexts.Length == texts ? reuseTexts : new string?[texts];
        }

        int at = 0;
        int t = 0;
        for (int i = 0; i < values.Length; i++)
        {
            Reading r = values[i];
            packed[at] = (byte)r.Property;
            packed[at + 1] = forms[i];
            at += HeaderSize;
            if (r.Value.Type == PropertyType.Text)
            {
                // Devices repeat the same short texts (routes, stops, surface states): one copy of each.
                strings![t] = SharedStrings.Get(r.Value.Text);
                packed[at++] = (byte)t++;
            }
            else
            {
                at += WriteNumber(packed.AsSpan(at), forms[i] >> FormShift, r.Value.Number, scaled[i]);
            }
        }

        object? kept = strings is null ? packed
            : previous._packed is Texted same && ReferenceEquals(same.Values, packed) && ReferenceEquals(same.Texts, strings) ? same
            : new Texted(packed, strings);
        return new CellTwin(summary.Version, summary.Position, summary.Status, summary.At, kept);
    }

    public TwinSummary ToSummary(TwinKey key)
    {
        byte[] packed = Values;
        string?[]? texts = Texts;
        var values = new Reading[Count(packed)];
        int i = 0;
        for (int at = 0; at < packed.Length; i++)
        {
            values[i] = Read(packed, texts, ref at);
        }

        return new TwinSummary(key.Kind, key.Id, Version, Position, Status, values, At);
    }

    /// <summary>The value of <paramref name="property"/>, when the twin reported it.</summary>
    public PropertyValue? Get(TwinProperty property)
    {
        byte[] packed = Values;
        string?[]? texts = Texts;
        for (int at = 0; at < packed.Length;)
        {
            Reading r = Read(packed, texts, ref at);
            if (r.Property == property)
            {
                return r.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// The shortest form that gives <paramref name="number"/> back exactly, and for a scaled form the
    /// integer <paramref name="scaled"/> it is written as.
    /// </summary>
    private static int NumberForm(double number, out int scaled)
    {
        scaled = 0;
        if (BitConverter.DoubleToInt64Bits(number) == 0)
        {
            return FormZero; // +0 only: -0 is a different double and keeps all its bytes.
        }

        if (number == 1)
        {
            return FormOne;
        }

        if (!double.IsFinite(number))
        {
            return FormDouble;
        }

        for (int places = 0; places < PowersOfTen.Length; places++)
        {
            double rounded = Math.Round(number * PowersOfTen[places]);
            if (rounded is < int.MinValue or > int.MaxValue)
            {
                return FormDouble; // more places only makes it larger
            }

            int m = (int)rounded;
            if (BitConverter.DoubleToInt64Bits(Scaled(m, places)) == BitConverter.DoubleToInt64Bits(number))
            {
                scaled = m;
                int width = m is >= sbyte.MinValue and <= sbyte.MaxValue ? 0 : m is >= short.MinValue and <= short.MaxValue ? 1 : 2;
                return FormScaled + (width * PowersOfTen.Length) + places;
            }
        }

        return FormDouble;
    }

    // m and 10^k are both exact doubles, and division rounds correctly: m / 10^k is the double nearest
    // the decimal, the same one a codec's parse of that decimal gives. Every short form is checked on
    // the way in, so this need not hold for the code to be right, only for the values to pack small.
    private static double Scaled(int m, int places) => places == 0 ? m : m / PowersOfTen[places];

    private static int PayloadSize(int form) => form switch
    {
        FormDouble => sizeof(double),
        FormZero or FormOne => 0,
        _ => 1 << ((form - FormScaled) / PowersOfTen.Length),
    };

    /// <summary>Writes <paramref name="number"/> in <paramref name="form"/>: as its double, or as the integer <paramref name="scaled"/> that <see cref="NumberForm"/> found.</summary>
    private static int WriteNumber(Span<byte> into, int form, double number, int scaled)
    {
        switch (form)
        {
            case FormDouble:
                BinaryPrimitives.WriteDoubleLittleEndian(into, number);
                return sizeof(double);
            case FormZero or FormOne:
                return 0;
        }

        int size = PayloadSize(form);
        switch (size)
        {
            case 1:
                into[0] = (byte)(sbyte)scaled;
                break;
            case 2:
                BinaryPrimitives.WriteInt16LittleEndian(into, (short)scaled);
                break;
            default:
                BinaryPrimitives.WriteInt32LittleEndian(into, scaled);
                break;
        }

        return size;
    }

    private static double ReadNumber(ReadOnlySpan<byte> from, int form) => form switch
    {
        FormDouble => BinaryPrimitives.ReadDoubleLittleEndian(from),
        FormZero => 0,
        FormOne => 1,
        _ => Scaled(
            PayloadSize(form) switch
            {
                1 => (sbyte)from[0],
                2 => BinaryPrimitives.ReadInt16LittleEndian(from),
                _ => BinaryPrimitives.ReadInt32LittleEndian(from),
            },
            (form - FormScaled) % PowersOfTen.Length),
    };

    private static int ValueSize(byte form) =>
        (PropertyType)(form & TypeMask) == PropertyType.Text ? 1 : PayloadSize(form >> FormShift);

    private static int Count(byte[] packed)
    {
        int count = 0;
        for (int at = 0; at < packed.Length; count++)
        {
            at += HeaderSize + ValueSize(packed[at + 1]);
        }

        return count;
    }

    private static Reading Read(byte[] packed, string?[]? texts, ref int at)
    {
        var property = (TwinProperty)packed[at];
        byte form = packed[at + 1];
        var type = (PropertyType)(form & TypeMask);
        at += HeaderSize;
        if (type == PropertyType.Text)
        {
            string? text = texts![packed[at++]];
            return new Reading(property, new PropertyValue { Type = PropertyType.Text, Text = text });
        }

        int numberForm = form >> FormShift;
        double number = ReadNumber(packed.AsSpan(at), numberForm);
        at += PayloadSize(numberForm);
        return new Reading(property, new PropertyValue { Type = type, Number = number });
    }

    /// <summary>The packed values of a twin that has text values, with the texts.</summary>
    private sealed class Texted(byte[] values, string?[] texts)
    {
        public byte[] Values { get; } = values;

        public string?[] Texts { get; } = texts;
    }
}
