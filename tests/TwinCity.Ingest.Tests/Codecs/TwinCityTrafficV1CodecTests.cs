using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;
using static TwinCity.Ingest.Tests.Codecs.CodecTestKit;

namespace TwinCity.Ingest.Tests.Codecs;

public sealed class TwinCityTrafficV1CodecTests
{
    private readonly TwinCityTrafficV1Codec _codec = new();

    [Fact]
    public void Decodes_specification_example_one()
    {
        // docs/codecs.md, twincity-traffic-v1 example 1: a battery counter on a dry road.
        var readings = DecodeOk(_codec, Hex("01 012C 01F4 2A 10 5F"), 10, TwinKind.RoadSensor);

        Assert.Equal(300, readings.Number(TwinProperty.VehicleCount));
        Assert.Equal(50.0, readings.Number(TwinProperty.MeanSpeedKmh), 9);
        Assert.Equal(21.0, readings.Number(TwinProperty.OccupancyPct), 9);
        Assert.Equal("dry", readings.Text(TwinProperty.Surface));
        Assert.False(readings.Flag(TwinProperty.Incident));
        Assert.False(readings.Flag(TwinProperty.Hazard));
        Assert.False(readings.Flag(TwinProperty.Dark));
        Assert.Equal(95, readings.Number(TwinProperty.BatteryPct));
        readings.AssertValid();
    }

    [Fact]
    public void Decodes_specification_example_two()
    {
        // docs/codecs.md, example 2: a mains-powered counter at night, nothing passed, an incident, icy road.
        var readings = DecodeOk(_codec, Hex("01 0000 FFFF 00 35 FF"), 10, TwinKind.RoadSensor);

        Assert.Equal(0, readings.Number(TwinProperty.VehicleCount));
        Assert.Equal(0, readings.Number(TwinProperty.OccupancyPct));
        Assert.Equal("ice", readings.Text(TwinProperty.Surface));
        Assert.True(readings.Flag(TwinProperty.Incident));
        Assert.False(readings.Flag(TwinProperty.Hazard));
        Assert.True(readings.Flag(TwinProperty.Dark));
        readings.Properties(
            TwinProperty.VehicleCount, TwinProperty.OccupancyPct, TwinProperty.Surface,
            TwinProperty.Incident, TwinProperty.Hazard, TwinProperty.Dark);
        readings.AssertValid();
    }

    [Fact]
    public void Leaves_out_every_value_marked_as_not_measured()
    {
        var readings = DecodeOk(_codec, Hex("01 0007 FFFF FF 00 FF"), 10, TwinKind.RoadSensor);

        readings.Properties(TwinProperty.VehicleCount, TwinProperty.Incident, TwinProperty.Hazard, TwinProperty.Dark);
    }

    [Fact]
    public void Reads_the_largest_values_of_each_field()
    {
        Assert.True(TwinCityTrafficV1Codec.TryDecode(Hex("01 FFFF FFFE C8 57 64"), out var frame, out var error), error);

        Assert.Equal(ushort.MaxValue, frame.VehicleCount);
        Assert.Equal(6553.4, frame.MeanSpeedKmh!.Value, 9);
        Assert.Equal(100.0, frame.OccupancyPct);
        Assert.Equal(RoadSurface.Flooded, frame.Surface);
        Assert.True(frame.Incident);
        Assert.True(frame.Hazard);
        Assert.True(frame.Dark);
        Assert.Equal((byte)100, frame.BatteryPct);
    }

    [Fact]
    public void Ignores_reserved_flag_bits()
    {
        Assert.True(TwinCityTrafficV1Codec.TryDecode(Hex("01 0001 0064 00 88 32"), out var frame, out _));

        Assert.Equal(new TrafficFrame(1, 10.0, 0.0, RoadSurface.Unknown, BatteryPct: 50), frame);
    }

    public static TheoryData<TrafficFrame> Frames => new()
    {
        new TrafficFrame(0),
        new TrafficFrame(1234, 47.3, 12.5, RoadSurface.Wet, Incident: true, BatteryPct: 80),
        new TrafficFrame(ushort.MaxValue, 6553.4, 100, RoadSurface.Flooded, true, true, true, 100),
        new TrafficFrame(17, 0, 0, RoadSurface.Snow, Hazard: true, BatteryPct: 0),
        new TrafficFrame(5, null, 99.5, RoadSurface.Ice, Dark: true),
        new TrafficFrame(3, 0.1, 0.5, RoadSurface.Dry),
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void Round_trips_frames(TrafficFrame frame)
    {
        var bytes = TwinCityTrafficV1Codec.Encode(frame);

        Assert.Equal(8, bytes.Length);
        Assert.Equal(0x01, bytes[0]);
        Assert.True(TwinCityTrafficV1Codec.TryDecode(bytes, out var decoded, out var error), error);
        Assert.Equal(frame, decoded);
    }

    [Fact]
    public void Round_trips_through_the_twin_readings()
    {
        var bytes = TwinCityTrafficV1Codec.Encode(new TrafficFrame(42, 38.6, 7.5, RoadSurface.Snow, Hazard: true, BatteryPct: 61));

        var readings = DecodeOk(_codec, bytes, TwinCityTrafficV1Codec.Port, TwinKind.RoadSensor);

        Assert.Equal(42, readings.Number(TwinProperty.VehicleCount));
        Assert.Equal(38.6, readings.Number(TwinProperty.MeanSpeedKmh), 9);
        Assert.Equal(7.5, readings.Number(TwinProperty.OccupancyPct), 9);
        Assert.Equal("snow", readings.Text(TwinProperty.Surface));
        Assert.True(readings.Flag(TwinProperty.Hazard));
        Assert.Equal(61, readings.Number(TwinProperty.BatteryPct));
    }

    [Fact]
    public void Encodes_the_specification_example_byte_for_byte()
    {
        var bytes = TwinCityTrafficV1Codec.Encode(new TrafficFrame(300, 50.0, 21.0, RoadSurface.Dry, BatteryPct: 95));

        Assert.Equal(Hex("01 012C 01F4 2A 10 5F"), bytes);
    }

    [Fact]
    public void Rounds_to_the_field_resolution()
    {
        var bytes = TwinCityTrafficV1Codec.Encode(new TrafficFrame(1, 47.26, 33.3));

        Assert.True(TwinCityTrafficV1Codec.TryDecode(bytes, out var frame, out _));
        Assert.Equal(47.3, frame.MeanSpeedKmh!.Value, 9);
        Assert.Equal(33.5, frame.OccupancyPct!.Value, 9);
    }

    [Theory]
    [InlineData("01 0000 0000 00 00", "7 bytes")]
    [InlineData("01 0000 0000 00 00 00 00", "9 bytes")]
    [InlineData("", "0 bytes")]
    [InlineData("02 0000 0000 00 00 00", "version byte 0x02")]
    [InlineData("00 0000 0000 00 00 00", "version byte 0x00")]
    [InlineData("01 0000 0000 C9 00 00", "occupancy byte 201")]
    [InlineData("01 0000 0000 FE 00 00", "occupancy byte 254")]
    [InlineData("01 0000 0000 00 60 00", "surface code 6")]
    [InlineData("01 0000 0000 00 70 00", "surface code 7")]
    [InlineData("01 0000 0000 00 00 65", "battery byte 101")]
    public void Refuses_malformed_frames(string hex, string reason)
    {
        var error = DecodeFails(_codec, Hex(hex), 10, TwinKind.RoadSensor);

        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_other_ports()
    {
        var error = DecodeFails(_codec, Hex("01 012C 01F4 2A 10 5F"), 11, TwinKind.RoadSensor);

        Assert.Contains("fPort 11", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_to_encode_values_the_layout_cannot_carry()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TwinCityTrafficV1Codec.Encode(new TrafficFrame(1, MeanSpeedKmh: -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TwinCityTrafficV1Codec.Encode(new TrafficFrame(1, MeanSpeedKmh: 6553.5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TwinCityTrafficV1Codec.Encode(new TrafficFrame(1, OccupancyPct: 100.5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TwinCityTrafficV1Codec.Encode(new TrafficFrame(1, Surface: (RoadSurface)6)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TwinCityTrafficV1Codec.Encode(new TrafficFrame(1, BatteryPct: 101)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TwinCityTrafficV1Codec.Encode(new TrafficFrame(1, MeanSpeedKmh: double.NaN)));
    }

    [Fact]
    public void Feeds_road_sensors_only()
    {
        Assert.Equal("twincity-traffic-v1", _codec.Name);
        Assert.True(_codec.Supports(TwinKind.RoadSensor));
        Assert.False(_codec.Supports(TwinKind.Bus));
    }
}
