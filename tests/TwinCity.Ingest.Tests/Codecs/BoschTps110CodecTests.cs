using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;
using static TwinCity.Ingest.Tests.Codecs.CodecTestKit;

namespace TwinCity.Ingest.Tests.Codecs;

public sealed class BoschTps110CodecTests
{
    private readonly BoschTps110Codec _codec = new();

    [Fact]
    public void Decodes_the_vendor_parking_status_example()
    {
        // Example from the vendor's decoder examples (TheThingsNetwork/lorawan-devices,
        // vendor/bosch/tps110-0292-codec.yaml, "Parking Status"): fPort 1, [1] -> occupied.
        var readings = DecodeOk(_codec, [1], 1, TwinKind.RoadSensor);

        Assert.True(readings.Flag(TwinProperty.ParkingOccupied));
        readings.Properties(TwinProperty.ParkingOccupied);
        readings.AssertValid();
    }

    [Fact]
    public void Decodes_the_vendor_heartbeat_example()
    {
        // Example from the vendor's decoder examples ("Heartbeat"): fPort 2, [1, 255] -> occupied,
        // temperature -1 °C (no twin property, so not emitted).
        var readings = DecodeOk(_codec, [1, 255], 2, TwinKind.RoadSensor);

        Assert.True(readings.Flag(TwinProperty.ParkingOccupied));
        readings.Properties(TwinProperty.ParkingOccupied);
    }

    [Fact]
    public void Decodes_the_vendor_start_up_example()
    {
        // Example from the vendor's decoder examples ("Startup with codes 804 and 885"): firmware
        // 0.29.2, reset cause "system request", occupied.
        var payload = Hex("24030000 75030000 00000000 001D02 03 01");

        var readings = DecodeOk(_codec, payload, 3, TwinKind.RoadSensor);

        Assert.True(readings.Flag(TwinProperty.ParkingOccupied));
        readings.Properties(TwinProperty.ParkingOccupied);
    }

    [Theory]
    [InlineData(0x00, false)]
    [InlineData(0x01, true)]
    [InlineData(0xFE, false)] // only bit 0 is the occupancy
    [InlineData(0xFF, true)]
    public void Reads_occupancy_from_bit_zero(byte status, bool occupied)
    {
        Assert.Equal(occupied, DecodeOk(_codec, [status], 1, TwinKind.RoadSensor).Flag(TwinProperty.ParkingOccupied));
        Assert.Equal(occupied, DecodeOk(_codec, [status, 0x7F], 2, TwinKind.RoadSensor).Flag(TwinProperty.ParkingOccupied));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Refuses_an_empty_status_or_heartbeat(int port)
    {
        var error = DecodeFails(_codec, [], port, TwinKind.RoadSensor);

        Assert.Contains($"fPort {port}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_a_start_up_frame_too_short_for_occupancy_without_values()
    {
        Assert.Empty(DecodeOk(_codec, new byte[16], 3, TwinKind.RoadSensor));
        Assert.Empty(DecodeOk(_codec, [], 3, TwinKind.RoadSensor));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Accepts_information_usage_and_debug_frames_without_values(int port)
    {
        Assert.Empty(DecodeOk(_codec, Hex("0102030405060708090A"), port, TwinKind.RoadSensor));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(255)]
    public void Refuses_unknown_ports(int port)
    {
        var error = DecodeFails(_codec, [1], port, TwinKind.RoadSensor);

        Assert.Contains($"unknown fPort {port}", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Round_trips_every_simulator_frame(bool occupied)
    {
        var status = BoschTps110Codec.EncodeOccupancy(occupied);
        var heartbeat = BoschTps110Codec.EncodeHeartbeat(occupied, -40);
        var startUp = BoschTps110Codec.EncodeStartUp(occupied);

        Assert.Equal((1, 1), (status.FPort, status.Payload.Length));
        Assert.Equal((2, 2), (heartbeat.FPort, heartbeat.Payload.Length));
        Assert.Equal((3, 17), (startUp.FPort, startUp.Payload.Length));
        Assert.Equal(0xD8, heartbeat.Payload[1]); // -40 as a signed byte
        foreach (var (payload, port) in new[] { status, heartbeat, startUp })
        {
            Assert.Equal(occupied, DecodeOk(_codec, payload, port, TwinKind.RoadSensor).Flag(TwinProperty.ParkingOccupied));
        }
    }

    [Fact]
    public void Refuses_to_encode_a_temperature_the_byte_cannot_hold()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BoschTps110Codec.EncodeHeartbeat(true, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => BoschTps110Codec.EncodeHeartbeat(true, -129));
    }

    [Fact]
    public void Feeds_road_sensors_only()
    {
        Assert.Equal("bosch-tps110", _codec.Name);
        Assert.True(_codec.Supports(TwinKind.RoadSensor));
        Assert.False(_codec.Supports(TwinKind.Bus));
    }
}
