using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Ingest.Tests.Codecs;

/// <summary>Decoding and reading helpers shared by the codec tests.</summary>
internal static class CodecTestKit
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static (DecodeResult Result, List<Reading> Readings) Decode(
        IPayloadCodec codec, byte[] payload, int fPort, TwinKind kind, IReadOnlyDictionary<string, string>? mapping = null)
    {
        var readings = new List<Reading>();
        var result = codec.Decode(payload, fPort, new CodecContext(kind, mapping), readings);
        return (result, readings);
    }

    public static List<Reading> DecodeOk(
        IPayloadCodec codec, byte[] payload, int fPort, TwinKind kind, IReadOnlyDictionary<string, string>? mapping = null)
    {
        var (result, readings) = Decode(codec, payload, fPort, kind, mapping);
        Assert.True(result.Ok, result.Error);
        Assert.Null(result.Error);

        // Whatever a codec decodes, it must only ever feed properties the twin kind has.
        Assert.All(readings, r => Assert.True(PropertyCatalog.Get(r.Property).AppliesTo(kind), $"{r.Property} is not a {kind} property"));
        return readings;
    }

    /// <summary>Every reading passes the checks the twin applies (type, range, choices).</summary>
    public static void AssertValid(this IEnumerable<Reading> readings) =>
        Assert.All(readings, r => Assert.Null(PropertyCatalog.Get(r.Property).Validate(r.Value)));

    public static string DecodeFails(IPayloadCodec codec, byte[] payload, int fPort, TwinKind kind, IReadOnlyDictionary<string, string>? mapping = null)
    {
        var (result, readings) = Decode(codec, payload, fPort, kind, mapping);
        Assert.False(result.Ok);
        Assert.Empty(readings);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
        return result.Error!;
    }

    public static double Number(this IEnumerable<Reading> readings, TwinProperty property)
    {
        var value = Single(readings, property);
        Assert.Equal(PropertyType.Number, value.Type);
        return value.Number;
    }

    public static bool Flag(this IEnumerable<Reading> readings, TwinProperty property)
    {
        var value = Single(readings, property);
        Assert.Equal(PropertyType.Bool, value.Type);
        return value.AsBool;
    }

    public static string Text(this IEnumerable<Reading> readings, TwinProperty property)
    {
        var value = Single(readings, property);
        Assert.Equal(PropertyType.Text, value.Type);
        return value.AsText;
    }

    public static bool Has(this IEnumerable<Reading> readings, TwinProperty property) => readings.Any(r => r.Property == property);

    public static void Properties(this IEnumerable<Reading> readings, params TwinProperty[] expected) =>
        Assert.Equal(expected.Order(), readings.Select(r => r.Property).Order());

    private static PropertyValue Single(IEnumerable<Reading> readings, TwinProperty property) =>
        Assert.Single(readings, r => r.Property == property).Value;
}
