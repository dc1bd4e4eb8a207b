using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;
using static TwinCity.Ingest.Tests.Codecs.CodecTestKit;

namespace TwinCity.Ingest.Tests.Codecs;

public sealed class CayenneLppCodecTests
{
    private readonly CayenneLppCodec _codec = new();

    private static Dictionary<string, string> Map(params (string Item, string Property)[] pairs) =>
        pairs.ToDictionary(p => p.Item, p => p.Property);

    [Fact]
    public void Decodes_the_vendor_two_temperature_example()
    {
        // Example from the vendor's format documentation (myDevices Cayenne LPP, "Device with 2
        // temperature sensors"): 03 67 0110 05 67 00FF -> channel 3 27.2 °C, channel 5 25.5 °C.
        // The twin has no temperature, so the items are mapped onto numeric properties to read them.
        var mapping = Map(("temperature_3", "flowM3h"), ("temperature_5", "volumeM3"));

        var readings = DecodeOk(_codec, Hex("03670110 056700FF"), 1, TwinKind.WaterMeter, mapping);

        Assert.Equal(27.2, readings.Number(TwinProperty.FlowM3h), 9);
        Assert.Equal(25.5, readings.Number(TwinProperty.VolumeM3), 9);
    }

    [Fact]
    public void Decodes_the_vendor_negative_temperature_and_accelerometer_example()
    {
        // Examples from the vendor's format documentation: 01 67 FFD7 -> -4.1 °C, and
        // 06 71 04D2 FB2E 0000 -> accelerometer x 1.234 G, y -1.234 G, z 0 (read past, not applied).
        var mapping = Map(("temperature_1", "flowM3h"), ("digital_input_2", "leak"));

        var readings = DecodeOk(_codec, Hex("0167FFD7 067104D2FB2E0000 020001"), 1, TwinKind.WaterMeter, mapping);

        Assert.Equal(-4.1, readings.Number(TwinProperty.FlowM3h), 9);
        Assert.True(readings.Flag(TwinProperty.Leak));
        readings.Properties(TwinProperty.FlowM3h, TwinProperty.Leak);
    }

    [Fact]
    public void Decodes_the_vendor_gps_example_as_a_position()
    {
        // Example from the vendor's format documentation ("GPS"): 01 88 06765F F2960A 0003E8 ->
        // latitude 42.3519, longitude -87.9094, altitude 10 m.
        var readings = DecodeOk(_codec, Hex("0188 06765F F2960A 0003E8"), 1, TwinKind.Bus, Map(("gps_1", "position")));

        Assert.Equal(42.3519, readings.Number(TwinProperty.Lat), 9);
        Assert.Equal(-87.9094, readings.Number(TwinProperty.Lon), 9);
        readings.Properties(TwinProperty.Lat, TwinProperty.Lon);
        readings.AssertValid();
    }

    [Fact]
    public void Ignores_a_position_for_kinds_without_coordinates()
    {
        var readings = DecodeOk(_codec, Hex("0188 06765F F2960A 0003E8"), 1, TwinKind.Streetlight, Map(("gps_1", "position")));

        Assert.Empty(readings);
    }

    [Fact]
    public void Converts_each_item_to_the_type_of_its_property()
    {
        var payload = new CayenneLppWriter()
            .AddDigitalOutput(1, 1)
            .AddPercentage(2, 80)
            .AddVoltage(3, 231.45)
            .AddAnalogInput(4, 0.93)
            .AddEnergy(5, 987_654)
            .AddPower(6, 142)
            .AddSwitch(7, false)
            .ToArray();
        var mapping = Map(
            ("digital_output_1", "on"),
            ("percentage_2", "dimLevel"),
            ("voltage_3", "voltageV"),
            ("analog_input_4", "powerFactor"),
            ("energy_5", "energyWh"),
            ("power_6", "powerW"),
            ("switch_7", "lampFault"));

        var readings = DecodeOk(_codec, payload, 2, TwinKind.Streetlight, mapping);

        Assert.True(readings.Flag(TwinProperty.On));
        Assert.Equal(80, readings.Number(TwinProperty.DimLevel));
        Assert.Equal(231.45, readings.Number(TwinProperty.VoltageV), 9);
        Assert.Equal(0.93, readings.Number(TwinProperty.PowerFactor), 9);
        Assert.Equal(987_654, readings.Number(TwinProperty.EnergyWh));
        Assert.Equal(142, readings.Number(TwinProperty.PowerW));
        Assert.False(readings.Flag(TwinProperty.LampFault));
        readings.AssertValid();
    }

    [Theory]
    [InlineData(0, "open")]
    [InlineData(1, "closed")]
    public void Picks_a_fixed_choice_by_its_position(byte value, string valve)
    {
        var readings = DecodeOk(_codec, [1, 0, value], 1, TwinKind.WaterMeter, Map(("digital_input_1", "valve")));

        Assert.Equal(valve, readings.Text(TwinProperty.Valve));
        readings.AssertValid();
    }

    [Fact]
    public void Ignores_a_number_that_is_no_choice()
    {
        var payload = new CayenneLppWriter().AddDigitalInput(1, 2).AddAnalogInput(2, 1.5).ToArray();

        var readings = DecodeOk(_codec, payload, 1, TwinKind.WaterMeter, Map(("digital_input_1", "valve"), ("analog_input_2", "valve")));

        Assert.Empty(readings);
    }

    [Fact]
    public void Writes_numbers_as_text_for_free_text_properties()
    {
        var readings = DecodeOk(_codec, [1, 0, 12], 1, TwinKind.Bus, Map(("digital_input_1", "route")));

        Assert.Equal("12", readings.Text(TwinProperty.Route));
    }

    [Fact]
    public void Ignores_unmapped_items_and_properties_of_other_kinds()
    {
        var payload = Hex("03670110 056700FF 010101");

        var readings = DecodeOk(_codec, payload, 1, TwinKind.WaterMeter, Map(("temperature_3", "dimLevel"), ("digital_output_1", "on")));

        Assert.Empty(readings);
    }

    [Fact]
    public void Applies_nothing_without_a_mapping_but_still_checks_the_frame()
    {
        Assert.Empty(DecodeOk(_codec, Hex("03670110 056700FF"), 1, TwinKind.Streetlight));
        DecodeFails(_codec, Hex("03670110 05"), 1, TwinKind.Streetlight);
    }

    [Fact]
    public void Matches_item_names_through_the_mapping_comparer()
    {
        var mapping = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Digital_Output_1"] = "ON" };

        var readings = DecodeOk(_codec, [1, 1, 1], 1, TwinKind.Streetlight, mapping);

        Assert.True(readings.Flag(TwinProperty.On));
    }

    [Fact]
    public void Refuses_an_unknown_type_without_applying_earlier_items()
    {
        var error = DecodeFails(_codec, Hex("010101 02FA00"), 1, TwinKind.Streetlight, Map(("digital_output_1", "on")));

        Assert.Contains("unknown type 250 (0xFA) on channel 2 at byte 4", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_truncated_item()
    {
        var error = DecodeFails(_codec, Hex("0188 06765F F2960A 00"), 1, TwinKind.Bus, Map(("gps_1", "position")));

        Assert.Contains("gps on channel 1 at byte 0 needs 9 value bytes, 7 left", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_dangling_channel_byte()
    {
        var error = DecodeFails(_codec, Hex("010101 07"), 1, TwinKind.Streetlight);

        Assert.Contains("byte 3 needs 2 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_extremes_of_each_field()
    {
        var payload = Hex("01028000 02027FFF 0367 8000 0464FFFFFFFF 0568FF 0688 800000 7FFFFF 000000");
        var mapping = Map(
            ("analog_input_1", "powerFactor"),
            ("analog_input_2", "powerW"),
            ("temperature_3", "voltageV"),
            ("generic_sensor_4", "energyWh"),
            ("humidity_5", "dimLevel"),
            ("gps_6", "position"));

        var light = DecodeOk(_codec, payload, 1, TwinKind.Streetlight, mapping);
        var bus = DecodeOk(_codec, payload, 1, TwinKind.Bus, mapping);

        Assert.Equal(-327.68, light.Number(TwinProperty.PowerFactor), 9);
        Assert.Equal(327.67, light.Number(TwinProperty.PowerW), 9);
        Assert.Equal(-3276.8, light.Number(TwinProperty.VoltageV), 9);
        Assert.Equal(uint.MaxValue, light.Number(TwinProperty.EnergyWh));
        Assert.Equal(127.5, light.Number(TwinProperty.DimLevel), 9);
        Assert.Equal(-838.8608, bus.Number(TwinProperty.Lat), 9);
        Assert.Equal(838.8607, bus.Number(TwinProperty.Lon), 9);
    }

    [Fact]
    public void Round_trips_the_writer_across_kinds()
    {
        var payload = new CayenneLppWriter()
            .AddGps(1, -33.8688, 151.2093, 42.5)
            .AddPercentage(2, 64)
            .AddDigitalInput(3, 1)
            .AddHumidity(4, 55.5)
            .AddIlluminance(5, 3)
            .AddPresence(6, 1)
            .AddBarometer(7, 1013.2)
            .AddTemperature(8, -12.3)
            .AddAnalogOutput(9, 88.25)
            .ToArray();
        var mapping = Map(
            ("gps_1", "position"),
            ("percentage_2", "occupancyPct"),
            ("digital_input_3", "doorsOpen"),
            ("analog_output_9", "speedKmh"));

        var readings = DecodeOk(_codec, payload, 1, TwinKind.Bus, mapping);

        Assert.Equal(-33.8688, readings.Number(TwinProperty.Lat), 9);
        Assert.Equal(151.2093, readings.Number(TwinProperty.Lon), 9);
        Assert.Equal(64, readings.Number(TwinProperty.OccupancyPct));
        Assert.True(readings.Flag(TwinProperty.DoorsOpen));
        Assert.Equal(88.25, readings.Number(TwinProperty.SpeedKmh), 9);
        readings.Properties(TwinProperty.Lat, TwinProperty.Lon, TwinProperty.OccupancyPct, TwinProperty.DoorsOpen, TwinProperty.SpeedKmh);
        readings.AssertValid();
    }

    [Fact]
    public void Writes_frames_byte_for_byte_like_the_vendor_examples()
    {
        Assert.Equal(Hex("03670110 056700FF"), new CayenneLppWriter().AddTemperature(3, 27.2).AddTemperature(5, 25.5).ToArray());
        Assert.Equal(Hex("0188 06765F F2960A 0003E8"), new CayenneLppWriter().AddGps(1, 42.3519, -87.9094, 10).ToArray());
    }

    [Fact]
    public void Refuses_to_write_values_a_field_cannot_hold()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CayenneLppWriter().AddAnalogInput(1, 400));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CayenneLppWriter().AddHumidity(1, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CayenneLppWriter().AddGps(1, 91, 0, 0));
    }

    [Theory]
    [InlineData(0, 1, "digital_input_1")]
    [InlineData(1, 255, "digital_output_255")]
    [InlineData(101, 0, "illuminance_0")]
    [InlineData(104, 3, "humidity_3")]
    [InlineData(134, 2, "gyrometer_2")]
    [InlineData(136, 9, "gps_9")]
    public void Names_items_by_type_and_channel(byte type, byte channel, string name) =>
        Assert.Equal(name, CayenneLppCodec.ItemName(type, channel));

    [Fact]
    public void Has_no_name_for_unknown_types() => Assert.Null(CayenneLppCodec.ItemName(99, 1));

    [Fact]
    public void Feeds_every_kind()
    {
        Assert.Equal("cayenne-lpp", _codec.Name);
        Assert.All(TwinKinds.All, kind => Assert.True(_codec.Supports(kind)));
    }
}
