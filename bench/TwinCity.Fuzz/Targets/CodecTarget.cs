using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Fuzz.Targets;

/// <summary>
/// One payload codec on raw frames, for every kind it serves. The first byte of an input is the
/// fPort, so mutations also try the frames on ports they were not made for.
/// </summary>
public sealed class CodecTarget(IPayloadCodec codec, IReadOnlyList<byte[]> corpus) : IFuzzTarget
{
    private static readonly Dictionary<string, string> CayenneMapping = new(StringComparer.Ordinal)
    {
        ["digital_output_1"] = "on",
        ["analog_output_2"] = "dimLevel",
        ["temperature_3"] = "powerW",
        ["gps_1"] = "position",
        ["analog_input_4"] = "volumeM3",
        ["presence_5"] = "parkingOccupied",
        ["percentage_6"] = "batteryPct",
    };

    private readonly TwinKind[] _kinds = [.. TwinKinds.All.Where(codec.Supports)];

    [ThreadStatic]
    private static List<Reading>? _readings;

    public string Name => "codec:" + codec.Name;

    public int MaxLength => 256;

    public IReadOnlyList<byte[]> Corpus => corpus;

    public IReadOnlyList<byte[]> Dictionary { get; } =
    [
        [0x00, 0x00, 0x00, 0x00], [0xFF, 0xFF, 0xFF, 0xFF], [0x7F, 0xFF, 0xFF, 0xFF], [0x80, 0x00, 0x00, 0x00],
        [0xFF, 0xFF], [0x00, 0x00], [0x80, 0x00], [0xFF], [0x00],
    ];

    public FuzzVerdict Check(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return FuzzVerdict.Refuse("empty input");
        }

        List<Reading> readings = _readings ??= new List<Reading>(32);
        int fPort = input[0];
        bool accepted = false;
        string? reason = null;
        foreach (TwinKind kind in _kinds)
        {
            readings.Clear();
            DecodeResult result = codec.Decode(input[1..], fPort, new CodecContext(kind, CayenneMapping), readings);
            if (result.Ok)
            {
                accepted = true;
                foreach (Reading r in readings)
                {
                    if (r.Value.Type == PropertyType.Number && !double.IsFinite(r.Value.Number))
                    {
                        return FuzzVerdict.Refuse(null);
                    }
                }
            }
            else if (string.IsNullOrWhiteSpace(result.Error))
            {
                return FuzzVerdict.Refuse(null);
            }
            else
            {
                reason ??= result.Error;
            }
        }

        return accepted ? FuzzVerdict.Accept : FuzzVerdict.Refuse(reason);
    }

    /// <summary>The built-in codecs with frames from their vendors' examples and the project's specification, prefixed by their fPort.</summary>
    public static IEnumerable<CodecTarget> BuiltIn()
    {
        foreach (IPayloadCodec codec in BuiltInCodecs.All)
        {
            IReadOnlyList<byte[]> frames = codec.Name switch
            {
                "dragino-lgt92" => [Frame(2, "02625A00 02FAF080 1068"), Frame(2, "0FFFFFFF 0FFFFFFF 0B54 60"), Frame(2, "7FFFFFFF 80000000 0E10 60"), Frame(2, "00000001 00000001 FFFF 60")],
                "axioma-qalcosonic-w1" => [Frame(103, "43B1315D30"), Frame(100, "0EA0355D 20 29350000"), Frame(100, "0EA0355D 00 FFFFFFFF"), Frame(101, "04FF891331FD17041344FF891344134D931E206201"), Frame(100, "41643A5E1077010000F086395E77010000000000000000000000000000000000000000000000000000000000000000")],
                "milesight-ws558" => [Frame(85, "08310001 058164 07C90200 0374B208 068301000000 048001000000"), Frame(85, "FF0110 FF090110 FF0A0101 FF0F02 FF16 6136C19244290000 FE032C01 FF32 01 0A00 01 01 07C90200 0374B208"), Frame(85, "0374FFFF 0480FFFFFFFF 0581FF 0683FFFFFFFF")],
                "bosch-tps110" => [Frame(1, "01"), Frame(2, "00"), Frame(3, "24030000 75030000 00000000 001D02 03 01"), Frame(4, "0102030405060708090A")],
                "cayenne-lpp" => [Frame(1, "03670110 056700FF"), Frame(1, "0167FFD7 067104D2FB2E0000 020001"), Frame(1, "0188 06765F F2960A 0003E8"), Frame(1, "0101 01 0203 0064")],
                "twincity-traffic-v1" => [Frame(10, "01 012C 01F4 2A 10 5F"), Frame(10, "01 0000 FFFF 00 35 FF"), Frame(10, "01 0007 FFFF FF 00 FF")],
                _ => [Frame(1, "00")],
            };
            yield return new CodecTarget(codec, frames);
        }
    }

    private static byte[] Frame(byte fPort, string hex) => [fPort, .. Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal))];
}
