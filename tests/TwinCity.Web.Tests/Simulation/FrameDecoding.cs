using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Tests.Simulation;

/// <summary>Decodes simulated frames with the platform's own codecs, as ingest will.</summary>
internal static class FrameDecoding
{
    public static Dictionary<TwinProperty, PropertyValue> Decode(string codecName, TwinKind kind, byte[] payload, int fPort)
    {
        Assert.True(CodecRegistry.Default.TryGet(codecName, out IPayloadCodec? codec), $"no codec '{codecName}'");
        var readings = new List<Reading>();
        DecodeResult result = codec.Decode(payload, fPort, new CodecContext(kind), readings);
        Assert.True(result.Ok, $"{codecName} refused a simulated frame on fPort {fPort}: {result.Error} ({Convert.ToHexString(payload)})");
        foreach (Reading reading in readings)
        {
            PropertyInfo info = PropertyCatalog.Get(reading.Property);
            Assert.True(info.AppliesTo(kind), $"{codecName} produced '{info.Name}', which {kind.ToUrlName()} do not have");
            Assert.Null(info.Validate(reading.Value));
        }

        return readings.ToDictionary(r => r.Property, r => r.Value);
    }
}
