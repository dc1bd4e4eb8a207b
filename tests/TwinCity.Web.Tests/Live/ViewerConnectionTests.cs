using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Live;

namespace TwinCity.Web.Tests.Live;

/// <summary>A viewer's per-twin send times stay bounded by what it saw lately, however long it pans.</summary>
public sealed class ViewerConnectionTests
{
    private const long Interval = 250;

    private static TwinSummary Lamp(int i, long version) =>
        new(TwinKind.Streetlight, "sl-" + i, version, new GeoPoint(40.4, 49.8), TwinStatus.Online, [], DateTime.UtcNow);

    [Fact]
    public void Send_times_older_than_the_interval_are_forgotten_and_recent_ones_kept()
    {
        var viewer = new ViewerConnection("c1");
        var due = new List<TwinSummary>();
        long now = 0;
        for (int round = 0; round < 50; round++)
        {
            // A viewer panning on: 200 new twins every interval.
            for (int i = 0; i < 200; i++)
            {
                Assert.True(viewer.Offer(Lamp((round * 200) + i, 1), now, Interval));
            }

            now += Interval;
            viewer.Forget(now, Interval);
            viewer.TakeDue(now, Interval, due);
        }

        Assert.InRange(viewer.RememberedCount, 1, 1000);

        // A twin sent just now is still held back; one forgotten goes at once.
        Assert.True(viewer.Offer(Lamp(-1, 1), now, Interval));
        Assert.False(viewer.Offer(Lamp(-1, 2), now + 1, Interval));
        Assert.Equal(1, viewer.HeldCount);
        Assert.True(viewer.Offer(Lamp(0, 2), now + 1, Interval));
        Assert.Empty(due);
    }

    [Fact]
    public void A_held_change_survives_the_pruning_and_goes_out_when_due()
    {
        var viewer = new ViewerConnection("c1");
        var due = new List<TwinSummary>();
        for (int i = 0; i < 500; i++)
        {
            Assert.True(viewer.Offer(Lamp(i, 1), 0, Interval));
        }

        Assert.False(viewer.Offer(Lamp(7, 2), 10, Interval));
        viewer.Forget(Interval * 10, Interval);
        Assert.Equal(1, viewer.RememberedCount);
        viewer.TakeDue(Interval * 10, Interval, due);

        TwinSummary sent = Assert.Single(due);
        Assert.Equal(("sl-7", 2L), (sent.Id, sent.Version));
        Assert.Equal(0, viewer.HeldCount);
        Assert.Equal(1, viewer.RememberedCount);
    }
}
