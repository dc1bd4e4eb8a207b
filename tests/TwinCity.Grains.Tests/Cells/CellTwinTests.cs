using TwinCity.Grains.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Cells;

public sealed class CellTwinTests
{
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
}
