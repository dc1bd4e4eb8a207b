using System.Buffers.Binary;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Cells;

/// <summary>
/// What a cell keeps of one twin between changes: the summary's fields, with its reported values
/// packed into one exactly sized byte array (property, type and number; texts by their index into
/// <see cref="Texts"/>) rather than an array of <see cref="Reading"/>s, which takes twice the room.
/// The summary handed out is rebuilt from it and equals the one the twin sent.
/// </summary>
internal readonly struct CellTwin
{
    private const int NumberSize = 2 + sizeof(double);
    private const int TextSize = 2 + 1;

    private readonly byte[] _values;

    private CellTwin(long version, GeoPoint position, TwinStatus status, DateTime at, byte[] values, string?[]? texts)
    {
        Version = version;
        Position = position;
        Status = status;
        At = at;
        _values = values;
        Texts = texts;
    }

    public long Version { get; }

    public GeoPoint Position { get; }

    public TwinStatus Status { get; }

    public DateTime At { get; }

    /// <summary>The text values, in the order they were reported; null when there are none.</summary>
    private string?[]? Texts { get; }

    /// <summary>
    /// The entry for <paramref name="summary"/>, written into the arrays of <paramref name="previous"/>
    /// (the twin's entry until now, if any) when they have the sizes it needs, as they do when a twin reports
    /// the same properties again: a twin's values then cost no new array per change, which would
    /// otherwise live until its next change and be copied through the collector's young generations.
    /// </summary>
    public static CellTwin From(TwinSummary summary, in CellTwin previous = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        Reading[] values = summary.Values;
        int size = 0;
        int texts = 0;
        foreach (Reading r in values)
        {
            if (r.Value.Type == PropertyType.Text)
            {
                size += TextSize;
                texts++;
            }
            else
            {
                size += NumberSize;
            }
        }

        if (texts > byte.MaxValue)
        {
            throw new ArgumentException("a summary holds at most 255 text values", nameof(summary));
        }

        byte[] packed = previous._values is { } reuse && reuse.Length == size ? reuse : size == 0 ? [] : new byte[size];
        string?[]? strings = texts == 0 ? null : previous.Texts is { } reuseTexts && reuseTexts.Length == texts ? reuseTexts : new string?[texts];
        int at = 0;
        int t = 0;
        foreach (Reading r in values)
        {
            packed[at] = (byte)r.Property;
            packed[at + 1] = (byte)r.Value.Type;
            if (r.Value.Type == PropertyType.Text)
            {
                // Devices repeat the same short texts (routes, stops, surface states): one copy of each.
                strings![t] = SharedStrings.Get(r.Value.Text);
                packed[at + 2] = (byte)t++;
                at += TextSize;
            }
            else
            {
                BinaryPrimitives.WriteDoubleLittleEndian(packed.AsSpan(at + 2), r.Value.Number);
                at += NumberSize;
            }
        }

        return new CellTwin(summary.Version, summary.Position, summary.Status, summary.At, packed, strings);
    }

    public TwinSummary ToSummary(TwinKey key)
    {
        var values = new Reading[Count()];
        int i = 0;
        for (int at = 0; at < _values.Length; i++)
        {
            values[i] = Read(ref at);
        }

        return new TwinSummary(key.Kind, key.Id, Version, Position, Status, values, At);
    }

    /// <summary>The value of <paramref name="property"/>, when the twin reported it.</summary>
    public PropertyValue? Get(TwinProperty property)
    {
        for (int at = 0; at < _values.Length;)
        {
            Reading r = Read(ref at);
            if (r.Property == property)
            {
                return r.Value;
            }
        }

        return null;
    }

    private int Count()
    {
        int count = 0;
        for (int at = 0; at < _values.Length; count++)
        {
            at += (PropertyType)_values[at + 1] == PropertyType.Text ? TextSize : NumberSize;
        }

        return count;
    }

    private Reading Read(ref int at)
    {
        var property = (TwinProperty)_values[at];
        var type = (PropertyType)_values[at + 1];
        if (type == PropertyType.Text)
        {
            string? text = Texts![_values[at + 2]];
            at += TextSize;
            return new Reading(property, new PropertyValue { Type = PropertyType.Text, Text = text });
        }

        double number = BinaryPrimitives.ReadDoubleLittleEndian(_values.AsSpan(at + 2));
        at += NumberSize;
        return new Reading(property, new PropertyValue { Type = type, Number = number });
    }
}
