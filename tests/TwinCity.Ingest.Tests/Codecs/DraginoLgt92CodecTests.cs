using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;
using static TwinCity.Ingest.Tests.Codecs.CodecTestKit;

namespace TwinCity.Ingest.Tests.Codecs;

public sealed class DraginoLgt92CodecTests
{
    private readonly DraginoLgt92Codec _codec = new();

    [Fact]
    public void Decodes_the_vendor_example_position_frame()
    {
        // Example from the vendor's decoder examples (TheThingsNetwork/lorawan-devices,
        // vendor/dragino/lgt92-codec.yaml, "Distance Detection"): latitude 22.70626,
        // longitude 114.24252, BatV 3.36, alarm FALSE.
        var payload = Hex("015A7854 06CF33D8 0D20 60 004B 0190 00");

        var readings = DecodeOk(_codec, payload, 2, TwinKind.Bus);

        Assert.Equal(22.70626, readings.Number(TwinProperty.Lat), 6);
        Assert.Equal(114.24252, readings.Number(TwinProperty.Lon), 6);
        Assert.Equal(30.0, readings.Number(TwinProperty.BatteryPct), 6); // 3.36 V on the 3.0-4.2 V scale
        readings.Properties(TwinProperty.Lat, TwinProperty.Lon, TwinProperty.BatteryPct);
        readings.AssertValid();
    }

    [Fact]
    public void Refuses_the_vendor_example_on_an_unknown_port()
    {
        // Example from the vendor's decoder examples ("Unknown FPort", fPort 42).
        var payload = Hex("015A7854 06CF33D8 0D20 60 004B 0190");

        var error = DecodeFails(_codec, payload, 42, TwinKind.Bus);

        Assert.Contains("fPort 42", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void Refuses_a_frame_too_short_for_position_and_battery(int length)
    {
        var error = DecodeFails(_codec, new byte[length], 2, TwinKind.Bus);

        Assert.Contains($"{length} bytes", error, StringComparison.Ordinal);
        Assert.Contains("10 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_a_minimal_ten_byte_frame()
    {
        var readings = DecodeOk(_codec, Hex("02625A00 02FAF080 1068"), 2, TwinKind.Bus);

        Assert.Equal(40.0, readings.Number(TwinProperty.Lat), 6);
        Assert.Equal(50.0, readings.Number(TwinProperty.Lon), 6);
        Assert.Equal(100.0, readings.Number(TwinProperty.BatteryPct)); // 0x1068 = 4200 mV, a full cell
    }

    [Fact]
    public void Omits_the_position_when_the_gps_timed_out_without_a_fix()
    {
        // Dragino reports both coordinates as zero when the GPS gives up.
        var (payload, port) = DraginoLgt92Codec.EncodeNoFix(3.9);

        var readings = DecodeOk(_codec, payload, port, TwinKind.Bus);

        readings.Properties(TwinProperty.BatteryPct);
        Assert.Equal(75.0, readings.Number(TwinProperty.BatteryPct), 6);
    }

    [Fact]
    public void Omits_the_position_when_low_power_disabled_the_gps()
    {
        // With a low battery the tracker fills both coordinates with 0x0FFFFFFF.
        var readings = DecodeOk(_codec, Hex("0FFFFFFF 0FFFFFFF 0B54 60"), 2, TwinKind.Bus);

        readings.Properties(TwinProperty.BatteryPct);
        Assert.Equal(0.0, readings.Number(TwinProperty.BatteryPct)); // 2.9 V is below the empty mark
    }

    [Fact]
    public void Omits_a_position_off_the_globe_but_keeps_the_battery()
    {
        var readings = DecodeOk(_codec, Hex("7FFFFFFF 80000000 0E10 60"), 2, TwinKind.Bus);

        readings.Properties(TwinProperty.BatteryPct);
        Assert.Equal(50.0, readings.Number(TwinProperty.BatteryPct), 6);
    }

    [Theory]
    [InlineData(-33.86882, 151.20929)] // southern hemisphere
    [InlineData(-34.603722, -58.381592)] // both negative
    [InlineData(40.409264, 49.867092)]
    [InlineData(90.0, 180.0)]
    [InlineData(-90.0, -180.0)]
    [InlineData(0.000001, -0.000001)]
    public void Round_trips_positions(double lat, double lon)
    {
        var (payload, port) = DraginoLgt92Codec.EncodeLocation(lat, lon, 3.7);

        var readings = DecodeOk(_codec, payload, port, TwinKind.Bus);

        Assert.Equal(2, port);
        Assert.Equal(11, payload.Length);
        Assert.Equal(lat, readings.Number(TwinProperty.Lat), 6);
        Assert.Equal(lon, readings.Number(TwinProperty.Lon), 6);
        Assert.Equal(58.3, readings.Number(TwinProperty.BatteryPct), 6);
        readings.AssertValid();
    }

    [Fact]
    public void Keeps_the_alarm_bit_out_of_the_battery_voltage()
    {
        var (payload, port) = DraginoLgt92Codec.EncodeLocation(1, 2, 3.6, alarm: true);

        var readings = DecodeOk(_codec, payload, port, TwinKind.Bus);

        Assert.Equal(0x40, payload[8] & 0x40);
        Assert.Equal(50.0, readings.Number(TwinProperty.BatteryPct), 6);
    }

    [Fact]
    public void Clamps_the_largest_battery_word_to_full()
    {
        // 0x3FFF mV (16.383 V) is the most the 14-bit field holds; 0xFF also sets the alarm bit.
        var readings = DecodeOk(_codec, Hex("00000001 00000001 FFFF 60"), 2, TwinKind.Bus);

        Assert.Equal(100.0, readings.Number(TwinProperty.BatteryPct));
    }

    [Theory]
    [InlineData(2.0, 0.0)]
    [InlineData(3.0, 0.0)]
    [InlineData(3.6, 50.0)]
    [InlineData(4.2, 100.0)]
    [InlineData(5.0, 100.0)]
    public void Maps_battery_voltage_linearly_and_clamps(double volts, double percent) =>
        Assert.Equal(percent, DraginoLgt92Codec.BatteryPercent(volts), 6);

    [Fact]
    public void Refuses_to_encode_impossible_coordinates()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DraginoLgt92Codec.EncodeLocation(90.5, 0, 3.7));
        Assert.Throws<ArgumentOutOfRangeException>(() => DraginoLgt92Codec.EncodeLocation(0, -180.5, 3.7));
        Assert.Throws<ArgumentOutOfRangeException>(() => DraginoLgt92Codec.EncodeLocation(0, 0, 20));
    }

    [Fact]
    public void Feeds_buses_only()
    {
        Assert.Equal("dragino-lgt92", _codec.Name);
        Assert.True(_codec.Supports(TwinKind.Bus));
        Assert.False(_codec.Supports(TwinKind.Streetlight));
        Assert.False(_codec.Supports(TwinKind.RoadSensor));
    }
}
