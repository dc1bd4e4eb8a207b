using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;
using static TwinCity.Ingest.Tests.Codecs.CodecTestKit;

namespace TwinCity.Ingest.Tests.Codecs;

public sealed class MilesightWs558CodecTests
{
    private readonly MilesightWs558Codec _codec = new();

    [Fact]
    public void Decodes_the_vendor_example_report()
    {
        // Example from the vendor's decoder examples (Milesight-IoT/SensorDecoders,
        // WS_Series/WS558/README.md): voltage 222.6, active_power 1, power_factor 100,
        // total_current 2, power_consumption 1, switch_1 on, switches 2-8 off.
        var payload = Hex("08310001 058164 07C90200 0374B208 068301000000 048001000000");

        var readings = DecodeOk(_codec, payload, 85, TwinKind.Streetlight);

        Assert.Equal(222.6, readings.Number(TwinProperty.VoltageV), 9);
        Assert.Equal(1.0, readings.Number(TwinProperty.PowerW));
        Assert.Equal(1.0, readings.Number(TwinProperty.PowerFactor), 9);
        Assert.Equal(1.0, readings.Number(TwinProperty.EnergyWh));
        Assert.True(readings.Flag(TwinProperty.On));
        readings.Properties(TwinProperty.On, TwinProperty.PowerFactor, TwinProperty.VoltageV, TwinProperty.EnergyWh, TwinProperty.PowerW);
        readings.AssertValid();
    }

    [Fact]
    public void Decodes_the_vendor_single_channel_examples()
    {
        // Examples from the vendor's decoder examples (TheThingsNetwork/lorawan-devices,
        // vendor/milesight-iot/ws558-codec.yaml, examples 1 and 3): voltage 222.6, power 1.
        var voltage = DecodeOk(_codec, Hex("0374B208"), 85, TwinKind.Streetlight);
        var power = DecodeOk(_codec, Hex("048001000000"), 85, TwinKind.Streetlight);

        Assert.Equal(222.6, Assert.Single(voltage).Value.Number, 9);
        Assert.Equal(TwinProperty.PowerW, Assert.Single(power).Property);
        Assert.Equal(1.0, power.Number(TwinProperty.PowerW));
    }

    [Theory]
    [InlineData("0831 0000", false)]
    [InlineData("0831 0001", true)]
    [InlineData("0831 0404", true)] // only switch 3, just changed
    [InlineData("0831 FF80", true)] // only switch 8
    [InlineData("0831 FF00", false)] // all just switched off
    public void Reads_the_light_as_on_while_any_output_is_closed(string hex, bool on)
    {
        var readings = DecodeOk(_codec, Hex(hex), 85, TwinKind.Streetlight);

        Assert.Equal(on, readings.Flag(TwinProperty.On));
    }

    [Fact]
    public void Skips_device_attributes_and_downlink_acknowledgements()
    {
        // Protocol, hardware and firmware versions, class, serial number, a report-interval and a
        // delayed-task acknowledgement, then the current (no twin property) and the voltage.
        var payload = Hex("FF0110 FF090110 FF0A0101 FF0F02 FF16 6136C19244290000 FE032C01 FF32 01 0A00 01 01 07C90200 0374B208");

        var readings = DecodeOk(_codec, payload, 85, TwinKind.Streetlight);

        readings.Properties(TwinProperty.VoltageV);
        Assert.Equal(222.6, readings.Number(TwinProperty.VoltageV), 9);
    }

    [Fact]
    public void Reads_the_largest_values_the_fields_hold()
    {
        var payload = Hex("0374FFFF 0480FFFFFFFF 0581FF 0683FFFFFFFF");

        var readings = DecodeOk(_codec, payload, 85, TwinKind.Streetlight);

        Assert.Equal(6553.5, readings.Number(TwinProperty.VoltageV), 9);
        Assert.Equal(uint.MaxValue, readings.Number(TwinProperty.PowerW));
        Assert.Equal(2.55, readings.Number(TwinProperty.PowerFactor), 9); // out of range: the twin refuses it
        Assert.Equal(uint.MaxValue, readings.Number(TwinProperty.EnergyWh));
    }

    [Fact]
    public void Refuses_an_unknown_channel_without_applying_what_came_before()
    {
        var error = DecodeFails(_codec, Hex("0374B208 0967 1001"), 85, TwinKind.Streetlight);

        Assert.Contains("channel 0x09 type 0x67 at byte 4", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_unknown_attribute_type()
    {
        var error = DecodeFails(_codec, Hex("FF99 00"), 85, TwinKind.Streetlight);

        Assert.Contains("channel 0xFF type 0x99", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_truncated_value()
    {
        var error = DecodeFails(_codec, Hex("0374B208 048001"), 85, TwinKind.Streetlight);

        Assert.Contains("needs 4 value bytes, 1 left", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_dangling_header_byte()
    {
        var error = DecodeFails(_codec, Hex("0374B208 08"), 85, TwinKind.Streetlight);

        Assert.Contains("byte 4 needs 2 bytes, 1 left", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_an_empty_frame_without_values()
    {
        Assert.Empty(DecodeOk(_codec, [], 85, TwinKind.Streetlight));
    }

    [Fact]
    public void Refuses_other_ports()
    {
        var error = DecodeFails(_codec, Hex("0374B208"), 1, TwinKind.Streetlight);

        Assert.Contains("fPort 1", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(230.4, 120, 0.95, 123_456, true)]
    [InlineData(0, 0, 0, 0, false)]
    [InlineData(6553.5, 4_294_967_295, 1, 4_294_967_295, true)]
    public void Round_trips_the_simulator_report(double voltage, double power, double powerFactor, double energy, bool on)
    {
        var (payload, port) = MilesightWs558Codec.Encode(voltage, power, powerFactor, energy, on);

        var readings = DecodeOk(_codec, payload, port, TwinKind.Streetlight);

        Assert.Equal(85, port);
        Assert.Equal(voltage, readings.Number(TwinProperty.VoltageV), 9);
        Assert.Equal(power, readings.Number(TwinProperty.PowerW));
        Assert.Equal(powerFactor, readings.Number(TwinProperty.PowerFactor), 9);
        Assert.Equal(energy, readings.Number(TwinProperty.EnergyWh));
        Assert.Equal(on, readings.Flag(TwinProperty.On));
    }

    [Fact]
    public void Writes_a_consistent_current()
    {
        // 230 V at power factor 0.5 and 115 W draws 1 A.
        var (payload, _) = MilesightWs558Codec.Encode(230, 115, 0.5, 0, true);

        Assert.Equal(Hex("07C9E803"), payload[19..23]);
    }

    [Fact]
    public void Refuses_to_encode_what_the_frame_cannot_carry()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MilesightWs558Codec.Encode(230, 10, 1.5, 0, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => MilesightWs558Codec.Encode(-1, 10, 1, 0, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => MilesightWs558Codec.Encode(230, -10, 1, 0, true));
    }

    [Theory]
    [InlineData(true, "08FFFF")]
    [InlineData(false, "08FF00")]
    public void Encodes_the_switch_command_as_the_vendor_control_frame(bool on, string expected)
    {
        // The vendor's encoder (Milesight-IoT/SensorDecoders, WS_Series/WS558/WS558_Encoder.js) writes
        // 0x08, the mask of outputs addressed, then their states; all eight outputs here.
        var encoded = _codec.TryEncode("switch", [Reading.Of(TwinProperty.On, on)], out var payload, out var port);

        Assert.True(encoded);
        Assert.Equal(85, port);
        Assert.Equal(Hex(expected), payload);
    }

    [Fact]
    public void The_switch_downlink_reads_back_as_the_same_state()
    {
        _codec.TryEncode("SWITCH", [Reading.Of(TwinProperty.On, true)], out var payload, out var port);

        // The controller echoes the states in its next report: 0x08 0x31 change-mask states.
        var echo = DecodeOk(_codec, [0x08, 0x31, payload[1], payload[2]], port, TwinKind.Streetlight);

        Assert.True(echo.Flag(TwinProperty.On));
    }

    [Fact]
    public void Declines_commands_it_has_no_frame_for()
    {
        Assert.False(_codec.TryEncode("dim", [Reading.Of(TwinProperty.DimLevel, 50)], out var payload, out _));
        Assert.Empty(payload);
        Assert.False(_codec.TryEncode("switch", [Reading.Of(TwinProperty.DimLevel, 50)], out _, out _));
        Assert.False(_codec.TryEncode("switch", [], out _, out _));
    }

    [Fact]
    public void Feeds_streetlights_only()
    {
        Assert.Equal("milesight-ws558", _codec.Name);
        Assert.True(_codec.Supports(TwinKind.Streetlight));
        Assert.False(_codec.Supports(TwinKind.WaterMeter));
    }
}
