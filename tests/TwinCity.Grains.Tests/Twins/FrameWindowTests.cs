using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests.Twins;

public sealed class FrameWindowTests
{
    [Fact]
    public void Every_counter_in_a_shuffled_run_is_accepted_exactly_once()
    {
        var random = new Random(7);
        // Shuffle only nearby frames, as a shared subscription would: no frame moves more than 20 places.
        uint[] order = [.. Enumerable.Range(1, 500).OrderBy(i => i + random.Next(20)).Select(i => (uint)i)];
        Assert.NotEqual(Enumerable.Range(1, 500).Select(i => (uint)i), order);

        uint highest = 0;
        ulong seen = 0;
        bool any = false;
        var accepted = new List<uint>();
        foreach (uint fCnt in order.Concat(order))
        {
            if (!any || fCnt > highest)
            {
                seen = any ? FrameWindow.Advance(seen, highest, fCnt) : 0;
                highest = fCnt;
                any = true;
                accepted.Add(fCnt);
            }
            else if (FrameWindow.TryMarkLate(ref seen, highest, fCnt))
            {
                accepted.Add(fCnt);
            }
        }

        Assert.Equal(500, accepted.Count);
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (uint)i), accepted.Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(100_000)]
    public void Advancing_keeps_what_is_still_inside_the_window(int jump)
    {
        ulong seen = 0;
        Assert.True(FrameWindow.TryMarkLate(ref seen, 100, 99));
        seen = FrameWindow.Advance(seen, 100, (uint)(100 + jump));
        uint highest = (uint)(100 + jump);

        // 100 (the old highest) and 99 were applied, so they are refused whether still in the window
        // or not; 98 was not, so it is taken while the window still reaches it.
        Assert.False(FrameWindow.TryMarkLate(ref seen, highest, 100));
        Assert.False(FrameWindow.TryMarkLate(ref seen, highest, 99));
        Assert.Equal(highest - 98 - 1 < FrameWindow.Size, FrameWindow.TryMarkLate(ref seen, highest, 98));
    }

    [Fact]
    public void The_highest_itself_and_anything_above_it_are_not_late()
    {
        ulong seen = 0;
        Assert.False(FrameWindow.TryMarkLate(ref seen, 10, 10));
        Assert.False(FrameWindow.TryMarkLate(ref seen, 10, 11));
        Assert.Equal(0UL, seen);
    }
}
