using System.Globalization;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>
/// Cayenne LPP (dynamic sensor payload) for any device kind. Items are named "{type}_{channel}",
/// such as "digital_output_1" or "temperature_3"; an item reaches the twin only when the device
/// registration maps its name to a property the kind has. Type table and rules in docs/codecs.md.
/// </summary>
public sealed class CayenneLppCodec : IPayloadCodec
{
    /// <summary>The mapping target that turns a GPS item into <c>lat</c> and <c>lon</c>.</summary>
    public const string PositionTarget = "position";

    private const int Channels = 256;

    private static readonly LppType[] Types =
    [
        new(0, "digital_input", 1, 1, Signed: false),
        new(1, "digital_output", 1, 1, Signed: false),
        new(2, "analog_input", 2, 100, Signed: true),
        new(3, "analog_output", 2, 100, Signed: true),
        new(100, "generic_sensor", 4, 1, Signed: false),
        new(101, "illuminance", 2, 1, Signed: false),
        new(102, "presence", 1, 1, Signed: false),
        new(103, "temperature", 2, 10, Signed: true),
        new(104, "humidity", 1, 2, Signed: false),
        new(113, "accelerometer", 6, 1000, Signed: true, LppShape.ThreeAxes),
        new(115, "barometer", 2, 10, Signed: false),
        new(116, "voltage", 2, 100, Signed: false),
        new(117, "current", 2, 1000, Signed: false),
        new(118, "frequency", 4, 1, Signed: false),
        new(120, "percentage", 1, 1, Signed: false),
        new(121, "altitude", 2, 1, Signed: true),
        new(125, "concentration", 2, 1, Signed: false),
        new(128, "power", 2, 1, Signed: false),
        new(130, "distance", 4, 1000, Signed: false),

        // LPP counts energy in 0.001 kWh, which is exactly 1 Wh: kept as Wh so it maps onto energyWh as is.
        new(131, "energy", 4, 1, Signed: false),
        new(132, "direction", 2, 1, Signed: false),
        new(133, "unixtime", 4, 1, Signed: false),
        new(134, "gyrometer", 6, 100, Signed: true, LppShape.ThreeAxes),
        new(135, "colour", 3, 1, Signed: false, LppShape.Colour),
        new(136, "gps", 9, 10_000, Signed: true, LppShape.Gps),
        new(142, "switch", 1, 1, Signed: false),
    ];

    private static readonly sbyte[] TypeByCode = BuildTypeIndex();

    // "{type}_{channel}" for every item seen so far, so that decoding does not build a string per item.
    // Races only ever store equal strings.
    private static readonly string?[] ItemNames = new string?[Types.Length * Channels];

    public string Name => "cayenne-lpp";

    public bool Supports(TwinKind kind) => true;

    public DecodeResult Decode(ReadOnlySpan<byte> payload, int fPort, in CodecContext context, List<Reading> output)
    {
        var start = output.Count;
        var i = 0;
        while (i < payload.Length)
        {
            if (payload.Length - i < 2)
            {
                return Fail(output, start, $"cayenne-lpp: item header at byte {i} needs 2 bytes (channel, type), {payload.Length - i} left");
            }

            var channel = payload[i];
            var code = payload[i + 1];
            var index = TypeByCode[code];
            if (index < 0)
            {
                // Items carry no length, so nothing after an unknown type can be found.
                return Fail(output, start, $"cayenne-lpp: unknown type {code} (0x{code:X2}) on channel {channel} at byte {i + 1}; the rest of the frame cannot be read");
            }

            var type = Types[index];
            var data = payload[(i + 2)..];
            if (data.Length < type.Size)
            {
                return Fail(output, start, $"cayenne-lpp: {type.Name} on channel {channel} at byte {i} needs {type.Size} value bytes, {data.Length} left");
            }

            data = data[..type.Size];
            i += 2 + type.Size;
            if (context.Mapping is null || !context.Mapping.TryGetValue(CachedName(index, channel), out var target))
            {
                continue;
            }

            switch (type.Shape)
            {
                case LppShape.Scalar:
                    Apply(context.Kind, target, ReadBigEndian(data, type.Signed) / type.Divisor, output);
                    break;
                case LppShape.Gps when string.Equals(target, PositionTarget, StringComparison.OrdinalIgnoreCase)
                    && PropertyCatalog.Get(TwinProperty.Lat).AppliesTo(context.Kind):
                    output.Add(Reading.Of(TwinProperty.Lat, ReadBigEndian(data[..3], signed: true) / type.Divisor));
                    output.Add(Reading.Of(TwinProperty.Lon, ReadBigEndian(data.Slice(3, 3), signed: true) / type.Divisor));
                    break;
                default:
                    // Three-axis and colour items have no single value for a twin property; GPS applies
                    // only through "position".
                    break;
            }
        }

        return DecodeResult.Success;
    }

    /// <summary>The item name a mapping uses for <paramref name="typeCode"/> on <paramref name="channel"/>, or null for an unknown type.</summary>
    public static string? ItemName(byte typeCode, byte channel)
    {
        var index = TypeByCode[typeCode];
        return index < 0 ? null : CachedName(index, channel);
    }

    private static string CachedName(int typeIndex, byte channel)
    {
        ref var slot = ref ItemNames[(typeIndex * Channels) + channel];
        return slot ??= string.Create(CultureInfo.InvariantCulture, $"{Types[typeIndex].Name}_{channel}");
    }

    private static void Apply(TwinKind kind, string target, double value, List<Reading> output)
    {
        if (!PropertyCatalog.TryGet(kind, target, out var info))
        {
            return;
        }

        switch (info.Type)
        {
            case PropertyType.Number:
                output.Add(new Reading(info.Property, PropertyValue.Of(value)));
                break;
            case PropertyType.Bool:
                output.Add(new Reading(info.Property, PropertyValue.Of(value != 0)));
                break;
            case PropertyType.Text when info.Choices is { } choices:
                // A number picks one of the property's fixed choices by its position in API.md's list.
                if (value >= 0 && value < choices.Count && value == Math.Floor(value))
                {
                    output.Add(new Reading(info.Property, PropertyValue.Of(choices[(int)value])));
                }

                break;
            case PropertyType.Text:
                output.Add(new Reading(info.Property, PropertyValue.Of(value.ToString(CultureInfo.InvariantCulture))));
                break;
        }
    }

    private static long ReadBigEndian(ReadOnlySpan<byte> bytes, bool signed)
    {
        long value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        if (signed)
        {
            var bits = 64 - (8 * bytes.Length);
            value = (value << bits) >> bits;
        }

        return value;
    }

    private static sbyte[] BuildTypeIndex()
    {
        var index = new sbyte[256];
        Array.Fill(index, (sbyte)-1);
        for (var i = 0; i < Types.Length; i++)
        {
            index[Types[i].Code] = (sbyte)i;
        }

        return index;
    }

    private static DecodeResult Fail(List<Reading> output, int start, string reason)
    {
        // A half-read frame is not applied in part.
        output.RemoveRange(start, output.Count - start);
        return DecodeResult.Fail(reason);
    }

    private enum LppShape : byte
    {
        Scalar,
        ThreeAxes,
        Colour,
        Gps,
    }

    private readonly record struct LppType(byte Code, string Name, int Size, double Divisor, bool Signed, LppShape Shape = LppShape.Scalar);
}
