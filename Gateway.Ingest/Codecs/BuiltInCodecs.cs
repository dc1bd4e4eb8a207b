namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>The device formats TwinCity decodes out of the box (docs/codecs.md).</summary>
public static class BuiltInCodecs
{
    public static IReadOnlyList<IPayloadCodec> All { get; } =
    [
        new DraginoLgt92Codec(),
        new AxiomaQalcosonicW1Codec(),
        new MilesightWs558Codec(),
        new BoschTps110Codec(),
        new CayenneLppCodec(),
        new TwinCityTrafficV1Codec(),
    ];
}
