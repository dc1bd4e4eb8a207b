using TwinCity.Gateway.Ingest.Pipeline;

namespace TwinCity.Ingest.Tests.Pipeline;

public sealed class RecentIdsTests
{
    [Fact]
    public void A_small_set_keeps_exactly_the_latest_ids()
    {
        var recent = new RecentIds(3);
        Assert.Equal(1, recent.Stripes);
        foreach (string id in new[] { "a", "b", "c", "b", "d" })
        {
            recent.Add(id);
        }

        Assert.False(recent.Contains("a"));
        Assert.True(recent.Contains("b"));
        Assert.True(recent.Contains("c"));
        Assert.True(recent.Contains("d"));
    }

    [Fact]
    public void A_window_of_zero_remembers_nothing()
    {
        var recent = new RecentIds(0);
        recent.Add("a");
        Assert.False(recent.Contains("a"));
    }

    [Fact]
    public void A_large_set_is_striped_and_holds_its_capacity_with_the_newest_ids_in_it()
    {
        const int Capacity = 100_000;
        var recent = new RecentIds(Capacity);
        Assert.Equal(RecentIds.MaxStripes, recent.Stripes);

        const int Added = 3 * Capacity;
        for (int i = 0; i < Added; i++)
        {
            recent.Add(Id(i));
        }

        int held = Enumerable.Range(0, Added).Count(i => recent.Contains(Id(i)));
        Assert.Equal(Capacity, held);

        // A stripe drops its own oldest: the newest half of the capacity is far inside every stripe's part.
        Assert.All(Enumerable.Range(Added - (Capacity / 2), Capacity / 2), i => Assert.True(recent.Contains(Id(i))));
        Assert.False(recent.Contains(Id(0)));
    }

    [Fact]
    public void Threads_adding_and_asking_at_once_lose_no_id_within_the_window()
    {
        var recent = new RecentIds(1_000_000);
        Parallel.For(0, 8, t =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                string id = $"{t}-{i}";
                recent.Add(id);
                Assert.True(recent.Contains(id));
            }
        });

        Assert.True(recent.Contains("0-0"));
        Assert.True(recent.Contains("7-19999"));
    }

    private static string Id(int i) => $"dedup-{i:x8}";
}
