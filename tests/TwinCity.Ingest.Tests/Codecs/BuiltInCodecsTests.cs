using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Ingest.Tests.Codecs;

public sealed class BuiltInCodecsTests
{
    [Fact]
    public void Ships_the_six_documented_codecs()
    {
        Assert.Equal(
            ["axioma-qalcosonic-w1", "bosch-tps110", "cayenne-lpp", "dragino-lgt92", "milesight-ws558", "twincity-traffic-v1"],
            BuiltInCodecs.All.Select(c => c.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("dragino-lgt92", TwinKind.Bus)]
    [InlineData("AXIOMA-QALCOSONIC-W1", TwinKind.WaterMeter)]
    [InlineData("milesight-ws558", TwinKind.Streetlight)]
    [InlineData("Bosch-TPS110", TwinKind.RoadSensor)]
    [InlineData("twincity-traffic-v1", TwinKind.RoadSensor)]
    [InlineData("cayenne-lpp", TwinKind.WaterMeter)]
    public void Finds_each_codec_by_its_registration_name(string name, TwinKind kind)
    {
        Assert.True(CodecRegistry.Default.TryGet(name, out var codec));
        Assert.Equal(name, codec.Name, ignoreCase: true);
        Assert.True(codec.Supports(kind));
    }

    [Fact]
    public void Has_a_vendor_codec_for_every_kind()
    {
        Assert.All(TwinKinds.All, kind =>
            Assert.Contains(BuiltInCodecs.All, c => c.Name != "cayenne-lpp" && c.Supports(kind)));
    }

    [Fact]
    public void Only_the_light_controller_encodes_downlinks()
    {
        var encoders = BuiltInCodecs.All.OfType<IDownlinkEncoder>().Cast<IPayloadCodec>().Select(c => c.Name);

        Assert.Equal(["milesight-ws558"], encoders);
    }

    public static TheoryData<string, string, int, TwinKind> ValidFrames => new()
    {
        { "dragino-lgt92", "015A785406CF33D80D2060004B019000", 2, TwinKind.Bus },
        { "axioma-qalcosonic-w1", "0EA0355D302935000054C0345DE7290000B800B900B800B800B800B900B800B800B800B800B800B800B900B900B900", 100, TwinKind.WaterMeter },
        { "axioma-qalcosonic-w1", "01AEAC986A003217000000000000000000008003800054000E4005100048000240020000200000000000000000000000000000", 100, TwinKind.WaterMeter },
        { "milesight-ws558", "0831000105816407C902000374B208068301000000048001000000", 85, TwinKind.Streetlight },
        { "bosch-tps110", "01FF", 2, TwinKind.RoadSensor },
        { "cayenne-lpp", "0101010278500188 06765FF2960A0003E8", 1, TwinKind.Bus },
        { "cayenne-lpp", "010101027850", 1, TwinKind.Streetlight },
        { "twincity-traffic-v1", "01012C01F42A105F", 10, TwinKind.RoadSensor },
    };

    [Theory]
    [MemberData(nameof(ValidFrames))]
    public void Decodes_without_allocating_beyond_the_readings(string name, string hex, int fPort, TwinKind kind)
    {
        // Ingest decodes every uplink of the city; the readings list is the only memory a decode may take.
        Assert.True(CodecRegistry.Default.TryGet(name, out var codec));
        var payload = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        var context = new CodecContext(kind, new Dictionary<string, string>
        {
            ["digital_output_1"] = "on",
            ["percentage_2"] = "occupancyPct",
            ["gps_1"] = "position",
        });
        var readings = new List<Reading>(64);
        Assert.True(codec.Decode(payload, fPort, context, readings).Ok);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            readings.Clear();
            codec.Decode(payload, fPort, context, readings);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEmpty(readings);
    }

    [Fact]
    public void Never_throws_on_arbitrary_bytes()
    {
        // Every codec must turn any byte soup into a result, never an exception in the ingest loop.
        var random = new Random(20261125);
        var mapping = new Dictionary<string, string> { ["digital_output_1"] = "on", ["gps_1"] = "position", ["temperature_2"] = "dimLevel" };
        foreach (var codec in BuiltInCodecs.All)
        {
            foreach (var kind in TwinKinds.All)
            {
                for (var i = 0; i < 500; i++)
                {
                    var payload = new byte[random.Next(0, 64)];
                    random.NextBytes(payload);
                    var readings = new List<Reading>();

                    var result = codec.Decode(payload, random.Next(0, 256), new CodecContext(kind, mapping), readings);

                    Assert.True(result.Ok || (result.Error is { Length: > 0 } && readings.Count == 0), $"{codec.Name}: {result.Error}");
                }
            }
        }
    }
}
