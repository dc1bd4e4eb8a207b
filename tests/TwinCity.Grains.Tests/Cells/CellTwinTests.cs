using TwinCity.Grains.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Cells;

public sealed class CellTwinTests
{
    [Theory]
    [InlineData(0L, TwinStatus.Unknown)]
    [InlineData(1L, TwinStatus.Online)]
    [InlineData(123_456_789_012L, TwinStatus.Offline)]
    [InlineData((1L << 56) - 1, TwinStatus.Online)]
    public void Version_and_status_come_back_as_they_went_in(long version, TwinStatus status)
    {
        var summary = new TwinSummary(TwinKind.Streetlight, "SL-1", version, new GeoPoint(40.4, 49.8), status, [Reading.Of(TwinProperty.On, true)], DateTime.UnixEpoch);

        TwinSummary back = CellTwin.From(summary).ToSummary(summary.Key);

        Assert.Equal(version, back.Version);
        Assert.Equal(status, back.Status);
    }

    [Fact]
    public void An_entry_takes_forty_bytes()
    {
        // A cell keeps one per twin: a million twins, each byte a megabyte.
        Assert.Equal(40, System.Runtime.CompilerServices.Unsafe.SizeOf<CellTwin>());
    }

    [Fact]
    public void A_packed_summary_gives_back_the_summary_the_twin_sent()
    {
        var summary = new TwinSummary(
            TwinKind.Bus,
            "BUS-7",
            42,
            new GeoPoint(40.4093, 49.8671),
            TwinStatus.Online,
            [
                Reading.Of(TwinProperty.BatteryPct, 87.25),
                Reading.Of(TwinProperty.Route, "R12"),
                Reading.Of(TwinProperty.DoorsOpen, true),
                Reading.Of(TwinProperty.SpeedKmh, -0.0),
                Reading.Of(TwinProperty.NextStop, "Sahil"),
                Reading.Of(TwinProperty.HeadingDeg, double.MaxValue),
                new Reading(TwinProperty.Surface, new PropertyValue { Type = PropertyType.Text, Text = null }),
            ],
            new DateTime(2026, 11, 28, 9, 0, 0, DateTimeKind.Utc));

        CellTwin packed = CellTwin.From(summary);
        TwinSummary back = packed.ToSummary(summary.Key);

        Assert.Equal(summary.Kind, back.Kind);
        Assert.Same(summary.Id, back.Id);
        Assert.Equal(summary.Version, back.Version);
        Assert.Equal(summary.Position, back.Position);
        Assert.Equal(summary.Status, back.Status);
        Assert.Equal(summary.At, back.At);
        Assert.Equal(summary.Values, back.Values);
        Assert.Equal("R12", packed.Get(TwinProperty.Route)?.AsText);
        Assert.Null(packed.Get(TwinProperty.Lat));
    }

    [Fact]
    public void A_summary_without_values_packs_to_none()
    {
        var summary = new TwinSummary(TwinKind.Streetlight, "SL-1", 1, new GeoPoint(40.4, 49.8), TwinStatus.Unknown, [], default);

        TwinSummary back = CellTwin.From(summary).ToSummary(summary.Key);

        Assert.Empty(back.Values);
        Assert.Equal(TwinStatus.Unknown, back.Status);
    }

    [Fact]
    public void A_change_packed_over_the_previous_entry_gives_back_the_new_summary_whatever_its_shape()
    {
        DateTime at = new(2026, 11, 28, 9, 0, 0, DateTimeKind.Utc);
        TwinSummary Bus(long version, params Reading[] values) =>
            new(TwinKind.Bus, "BUS-9", version, new GeoPoint(40.41 + (version / 1000.0), 49.86), TwinStatus.Online, values, at.AddSeconds(version));

        TwinSummary[] changes =
        [
            Bus(1, Reading.Of(TwinProperty.Route, "R1"), Reading.Of(TwinProperty.SpeedKmh, 30)),
            Bus(2, Reading.Of(TwinProperty.Route, "R2"), Reading.Of(TwinProperty.SpeedKmh, 31)),
            Bus(3, Reading.Of(TwinProperty.SpeedKmh, 32), Reading.Of(TwinProperty.Route, "R3")),
            Bus(4, Reading.Of(TwinProperty.SpeedKmh, 33)),
            Bus(5, Reading.Of(TwinProperty.SpeedKmh, 34), Reading.Of(TwinProperty.Route, "R5"), Reading.Of(TwinProperty.NextStop, "Sahil")),
            Bus(6, Reading.Of(TwinProperty.SpeedKmh, 35), Reading.Of(TwinProperty.NextStop, "Icherisheher"), Reading.Of(TwinProperty.Route, "R6")),
            Bus(7),
            Bus(8, Reading.Of(TwinProperty.Route, "R8")),
        ];

        CellTwin entry = default;
        foreach (TwinSummary change in changes)
        {
            entry = CellTwin.From(change, entry);
            TwinSummary back = entry.ToSummary(change.Key);
            Assert.Equal(change.Version, back.Version);
            Assert.Equal(change.Position, back.Position);
            Assert.Equal(change.At, back.At);
            Assert.Equal(change.Values, back.Values);
        }
    }

    public static TheoryData<double> Numbers => new()
    {
        0.0, -0.0, 1.0, -1.0, 80, 234.6, 0.99, 3.6, -97, 7.5, -12.25, 0.001, 0.0005, 881, 127, 128, -128, -129,
        32767, 32768, -32769, 2147483647, 2147483648, -2147483648, 214748.3647, 1e-10, 1e300, -1e300,
        double.Epsilon, double.MaxValue, double.MinValue, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
        0.1 + 0.2, 1.0 / 3, 49.8671, 40.4093, BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0001)),
    };

    [Theory]
    [MemberData(nameof(Numbers))]
    public void Every_number_comes_back_as_the_very_same_double(double number)
    {
        var summary = new TwinSummary(
            TwinKind.Streetlight, "SL-7", 3, new GeoPoint(40.4, 49.8), TwinStatus.Online,
            [Reading.Of(TwinProperty.PowerW, number), new Reading(TwinProperty.On, new PropertyValue { Type = PropertyType.Bool, Number = number })],
            default);

        TwinSummary back = CellTwin.From(summary).ToSummary(summary.Key);

        Assert.Equal(2, back.Values.Length);
        foreach (Reading r in back.Values)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(number), BitConverter.DoubleToInt64Bits(r.Value.Number));
        }

        Assert.Equal(PropertyType.Number, back.Values[0].Value.Type);
        Assert.Equal(PropertyType.Bool, back.Values[1].Value.Type);
    }

    [Fact]
    public void Random_doubles_come_back_bit_for_bit()
    {
        var random = new Random(20261128);
        var values = new Reading[200];
        for (int round = 0; round < 50; round++)
        {
            for (int i = 0; i < values.Length; i++)
            {
                double number = (i % 4) switch
                {
                    0 => BitConverter.Int64BitsToDouble(random.NextInt64()),
                    1 => Math.Round((random.NextDouble() - 0.5) * 100_000, random.Next(0, 5)),
                    2 => random.Next(-70_000, 70_000) / 10.0,
                    _ => random.Next() * 0.1,
                };
                values[i] = Reading.Of((TwinProperty)(i % 20), number);
            }

            var summary = new TwinSummary(TwinKind.WaterMeter, "WM-1", round, new GeoPoint(40.4, 49.8), TwinStatus.Online, values, default);
            TwinSummary back = CellTwin.From(summary).ToSummary(summary.Key);

            Assert.Equal(values.Length, back.Values.Length);
            for (int i = 0; i < values.Length; i++)
            {
                Assert.Equal(values[i].Property, back.Values[i].Property);
                Assert.Equal(BitConverter.DoubleToInt64Bits(values[i].Value.Number), BitConverter.DoubleToInt64Bits(back.Values[i].Value.Number));
            }
        }
    }

    [Fact]
    public void A_streetlights_usual_readings_pack_into_a_few_bytes_each()
    {
        // What a streetlight reports on each uplink: radio, lamp state, dim level, energy, voltage, power factor.
        var summary = new TwinSummary(
            TwinKind.Streetlight, "SL-42", 9, new GeoPoint(40.4, 49.8), TwinStatus.Online,
            [
                Reading.Of(TwinProperty.Rssi, -97), Reading.Of(TwinProperty.Snr, 7.5), Reading.Of(TwinProperty.On, true),
                Reading.Of(TwinProperty.DimLevel, 96), Reading.Of(TwinProperty.EnergyWh, 881), Reading.Of(TwinProperty.VoltageV, 234.6),
                Reading.Of(TwinProperty.PowerFactor, 0.99), Reading.Of(TwinProperty.LampFault, false),
            ],
            default);

        CellTwin packed = CellTwin.From(summary);

        // Eight 2-byte headers, then 1 byte each for -97, 75 (7.5), 96 and 99 (0.99), 2 each for 881 and 2346 (234.6),
        // none for true and false; all 8 values as doubles would take 80.
        Assert.Equal(24, packed.PackedSize);
        Assert.Equal(summary.Values, packed.ToSummary(summary.Key).Values);
    }
}

