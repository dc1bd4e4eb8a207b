using System.Buffers.Binary;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;
using static TwinCity.Ingest.Tests.Codecs.CodecTestKit;

namespace TwinCity.Ingest.Tests.Codecs;

public sealed class AxiomaQalcosonicW1CodecTests
{
    // Example from the vendor's decoder examples (TheThingsNetwork/lorawan-devices,
    // vendor/axioma/qalcosonic-w1-codec.yaml, "Enhanced 24h payload"): status 0, log volume 5.938 m³,
    // 23 hourly deltas adding 0.116 m³, current volume 6.054 m³, history multiplier 0.
    private const string EnhancedExample =
        "01AEAC986A003217000000000000000000008003800054000E" +
        "4005100048000240020000200000000000000000000000000000";

    // Extended frame from the test vectors of ZennerIoT/element-parsers (Axioma W1 parser, written
    // against Axioma's "Lora Payload W1 V01.7 Extended" document): status 0x30, current volume
    // 13.609 m³, log volume 10.727 m³ and 15 hourly deltas.
    private const string ExtendedExample =
        "0EA0355D 30 29350000 54C0345D E7290000 " +
        "B800B900B800B800B800B900B800B800B800B800B800B800B900B900B900";

    private readonly AxiomaQalcosonicW1Codec _codec = new();

    [Fact]
    public void Decodes_the_vendor_enhanced_24h_example()
    {
        var payload = Hex(EnhancedExample);
        Assert.Equal(51, payload.Length);

        var readings = DecodeOk(_codec, payload, 100, TwinKind.WaterMeter);

        Assert.Equal(6.054, readings.Number(TwinProperty.VolumeM3), 9);
        Assert.False(readings.Flag(TwinProperty.Leak));
        Assert.False(readings.Flag(TwinProperty.Burst));
        Assert.False(readings.Flag(TwinProperty.Backflow));
        readings.Properties(TwinProperty.VolumeM3, TwinProperty.Leak, TwinProperty.Burst, TwinProperty.Backflow);
        readings.AssertValid();
    }

    [Fact]
    public void Decodes_an_enhanced_frame_with_busy_history()
    {
        // Enhanced frame from diwise/iot-agent's Qalcosonic tests: log volume 528.333 m³ plus 23
        // deltas of 45.329 m³ in total gives 573.662 m³; status 0x30 is "leak" plus a temporary error.
        var payload = Hex(
            "011FBFD05E30CD0F0800D4879E41865C1B42470D7283B8201608FEC181981DD0" +
            "07F3919460218247B631784C1C9E87B8E17600");

        var readings = DecodeOk(_codec, payload, 100, TwinKind.WaterMeter);

        Assert.Equal(573.662, readings.Number(TwinProperty.VolumeM3), 9);
        Assert.True(readings.Flag(TwinProperty.Leak));
        Assert.False(readings.Flag(TwinProperty.Burst));
    }

    [Fact]
    public void Decodes_the_extended_example_and_its_leak_status()
    {
        var payload = Hex(ExtendedExample);
        Assert.Equal(47, payload.Length);

        var readings = DecodeOk(_codec, payload, 100, TwinKind.WaterMeter);

        // The extended frame carries the current volume itself; the history before it is not needed.
        Assert.Equal(13.609, readings.Number(TwinProperty.VolumeM3), 9);
        Assert.True(readings.Flag(TwinProperty.Leak));
        Assert.False(readings.Flag(TwinProperty.Burst));
        Assert.False(readings.Flag(TwinProperty.Backflow));
        Assert.False(readings.Has(TwinProperty.FlowM3h));
    }

    [Fact]
    public void Decodes_a_real_extended_frame_with_only_a_temporary_error()
    {
        // "Real packet from 00070900004D6907" in the same element-parsers test vectors: 0.375 m³, status 0x10.
        var payload = Hex("41643A5E1077010000F086395E77010000000000000000000000000000000000000000000000000000000000000000");

        var readings = DecodeOk(_codec, payload, 100, TwinKind.WaterMeter);

        Assert.Equal(0.375, readings.Number(TwinProperty.VolumeM3), 9);
        Assert.False(readings.Flag(TwinProperty.Leak));
        Assert.False(readings.Flag(TwinProperty.Burst));
        Assert.False(readings.Flag(TwinProperty.Backflow));
    }

    [Fact]
    public void Decodes_the_alarm_frame_example()
    {
        // Alarm frame on fPort 103 from the element-parsers test vectors: 0x30 = no consumption + backflow.
        var readings = DecodeOk(_codec, Hex("43B1315D30"), 103, TwinKind.WaterMeter);

        Assert.True(readings.Flag(TwinProperty.Backflow));
        Assert.False(readings.Flag(TwinProperty.Leak));
        Assert.False(readings.Flag(TwinProperty.Burst));
        Assert.False(readings.Has(TwinProperty.VolumeM3));
    }

    [Theory]
    [InlineData(0x00, false, false, false)]
    [InlineData(0x04, false, false, false)] // power low
    [InlineData(0x08, false, false, false)] // permanent error
    [InlineData(0x10, false, false, false)] // dry pipe / temporary error
    [InlineData(0x20, true, false, false)]
    [InlineData(0x3C, true, false, false)] // leak with every error bit
    [InlineData(0x60, false, false, true)]
    [InlineData(0x80, false, false, false)] // freeze
    [InlineData(0xA0, false, true, false)]
    [InlineData(0xBC, false, true, false)]
    public void Reads_the_status_code_of_data_frames(byte status, bool leak, bool burst, bool backflow)
    {
        var payload = Hex(ExtendedExample);
        payload[4] = status;

        var readings = DecodeOk(_codec, payload, 100, TwinKind.WaterMeter);

        Assert.Equal(leak, readings.Flag(TwinProperty.Leak));
        Assert.Equal(burst, readings.Flag(TwinProperty.Burst));
        Assert.Equal(backflow, readings.Flag(TwinProperty.Backflow));
    }

    [Fact]
    public void Reads_the_nine_byte_current_values_frame()
    {
        var readings = DecodeOk(_codec, Hex("0EA0355D 20 29350000"), 100, TwinKind.WaterMeter);

        Assert.Equal(13.609, readings.Number(TwinProperty.VolumeM3), 9);
        Assert.True(readings.Flag(TwinProperty.Leak));
    }

    [Fact]
    public void Reads_the_largest_volume_the_counter_holds()
    {
        var readings = DecodeOk(_codec, Hex("0EA0355D 00 FFFFFFFF"), 100, TwinKind.WaterMeter);

        Assert.Equal(4_294_967.295, readings.Number(TwinProperty.VolumeM3), 6);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(16)]
    [InlineData(49)]
    [InlineData(50)]
    [InlineData(53)]
    public void Refuses_data_frames_of_no_known_length(int length)
    {
        var error = DecodeFails(_codec, new byte[length], 100, TwinKind.WaterMeter);

        Assert.Contains($"{length}-byte", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_enhanced_frame_of_another_version()
    {
        var payload = Hex(EnhancedExample);
        payload[0] = 0x02;

        var error = DecodeFails(_codec, payload, 100, TwinKind.WaterMeter);

        Assert.Contains("0x02", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_enhanced_frame_whose_history_is_scaled()
    {
        // The six bits after the 23 deltas hold a multiplier Axioma does not document.
        var payload = Hex(EnhancedExample);
        payload[50] = 0x04;

        var error = DecodeFails(_codec, payload, 100, TwinKind.WaterMeter);

        Assert.Contains("multiplier 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_short_alarm_frame()
    {
        var error = DecodeFails(_codec, Hex("43B1315D"), 103, TwinKind.WaterMeter);

        Assert.Contains("4 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_the_configuration_report_without_values()
    {
        var readings = DecodeOk(_codec, Hex("04FF891331FD17041344FF891344134D931E206201"), 101, TwinKind.WaterMeter);

        Assert.Empty(readings);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(102)]
    [InlineData(224)]
    public void Refuses_unknown_ports(int port)
    {
        var error = DecodeFails(_codec, Hex(ExtendedExample), port, TwinKind.WaterMeter);

        Assert.Contains($"fPort {port}", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    public void Round_trips_the_simulator_frame(bool leak, bool burst, bool backflow)
    {
        var time = new DateTime(2026, 11, 25, 18, 2, 11, DateTimeKind.Utc);

        var (payload, port) = AxiomaQalcosonicW1Codec.Encode(time, 1234.567, leak, burst, backflow);
        var readings = DecodeOk(_codec, payload, port, TwinKind.WaterMeter);

        Assert.Equal(100, port);
        Assert.Equal(47, payload.Length);
        Assert.Equal(1234.567, readings.Number(TwinProperty.VolumeM3), 9);
        Assert.Equal(leak, readings.Flag(TwinProperty.Leak));
        Assert.Equal(burst, readings.Flag(TwinProperty.Burst));
        Assert.Equal(backflow, readings.Flag(TwinProperty.Backflow));
        readings.AssertValid();
    }

    [Fact]
    public void Writes_meter_time_and_an_hourly_log_start()
    {
        var time = new DateTime(2026, 11, 25, 18, 2, 11, DateTimeKind.Utc);

        var (payload, _) = AxiomaQalcosonicW1Codec.Encode(time, 0, false, false, false);

        var now = new DateTimeOffset(time).ToUnixTimeSeconds();
        Assert.Equal(now, BinaryPrimitives.ReadUInt32LittleEndian(payload));
        var logStart = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(9)));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero), logStart);
    }

    [Fact]
    public void Lets_burst_win_when_the_status_byte_can_hold_one_alarm()
    {
        var (payload, port) = AxiomaQalcosonicW1Codec.Encode(DateTime.UnixEpoch.AddYears(50), 1, leak: true, burst: true, backflow: true);

        var readings = DecodeOk(_codec, payload, port, TwinKind.WaterMeter);

        Assert.Equal(0xA0, payload[4]);
        Assert.True(readings.Flag(TwinProperty.Burst));
        Assert.False(readings.Flag(TwinProperty.Leak));
    }

    [Fact]
    public void Round_trips_several_alarms_in_an_alarm_frame()
    {
        var (payload, port) = AxiomaQalcosonicW1Codec.EncodeAlarm(DateTime.UnixEpoch.AddYears(50), leak: true, burst: false, backflow: true);

        var readings = DecodeOk(_codec, payload, port, TwinKind.WaterMeter);

        Assert.Equal(103, port);
        Assert.True(readings.Flag(TwinProperty.Leak));
        Assert.False(readings.Flag(TwinProperty.Burst));
        Assert.True(readings.Flag(TwinProperty.Backflow));
    }

    [Fact]
    public void Refuses_to_encode_what_the_frame_cannot_carry()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AxiomaQalcosonicW1Codec.Encode(DateTime.UtcNow, -1, false, false, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => AxiomaQalcosonicW1Codec.Encode(DateTime.UtcNow, 5_000_000, false, false, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => AxiomaQalcosonicW1Codec.Encode(new DateTime(1960, 1, 1, 0, 0, 0, DateTimeKind.Utc), 1, false, false, false));
    }

    [Fact]
    public void Feeds_water_meters_only()
    {
        Assert.Equal("axioma-qalcosonic-w1", _codec.Name);
        Assert.True(_codec.Supports(TwinKind.WaterMeter));
        Assert.False(_codec.Supports(TwinKind.Bus));
    }
}
