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
}
