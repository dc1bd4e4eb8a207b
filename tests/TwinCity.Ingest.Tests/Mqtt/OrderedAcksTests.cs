using TwinCity.Gateway.Ingest.Mqtt;

namespace TwinCity.Ingest.Tests.Mqtt;

public sealed class OrderedAcksTests
{
    private readonly List<object> _sent = [];

    private OrderedAcks Create(int holdAtMost) => new(holdAtMost, m => _sent.Add(m));

    [Fact]
    public void Messages_finished_in_order_are_acknowledged_at_once()
    {
        OrderedAcks acks = Create(holdAtMost: 4);
        OrderedAcks.Delivery a = acks.Add("a");
        OrderedAcks.Delivery b = acks.Add("b");

        a.Finish(applied: true);
        Assert.Equal(["a"], _sent);
        b.Finish(applied: true);
        Assert.Equal(["a", "b"], _sent);
        Assert.Equal(0, acks.Count);
    }

    [Fact]
    public void A_message_finished_early_waits_for_the_older_ones_then_all_go_in_arrival_order()
    {
        OrderedAcks acks = Create(holdAtMost: 10);
        OrderedAcks.Delivery[] d = [.. Enumerable.Range(0, 4).Select(i => acks.Add(i))];

        d[3].Finish(applied: true);
        d[1].Finish(applied: true);
        Assert.Empty(_sent);
        Assert.Equal(2, acks.Held);

        d[0].Finish(applied: true);
        Assert.Equal([0, 1], _sent);
        Assert.Equal(1, acks.Held);

        d[2].Finish(applied: true);
        Assert.Equal([0, 1, 2, 3], _sent);
        Assert.Equal(0, acks.Held);
        Assert.Equal(0, acks.Count);
    }

    [Fact]
    public void A_message_given_back_is_never_acknowledged_and_does_not_hold_the_ones_after_it()
    {
        OrderedAcks acks = Create(holdAtMost: 10);
        OrderedAcks.Delivery a = acks.Add("a");
        OrderedAcks.Delivery b = acks.Add("b");
        OrderedAcks.Delivery c = acks.Add("c");

        c.Finish(applied: true);
        b.Finish(applied: false);
        Assert.Empty(_sent);

        a.Finish(applied: false);
        Assert.Equal(["c"], _sent);
        Assert.Equal(0, acks.Count);
    }

    [Fact]
    public void Once_too_many_wait_behind_a_stuck_message_they_go_and_later_ones_go_as_they_finish()
    {
        OrderedAcks acks = Create(holdAtMost: 3);
        OrderedAcks.Delivery stuck = acks.Add("stuck");
        OrderedAcks.Delivery[] d = [.. Enumerable.Range(0, 6).Select(i => acks.Add(i))];

        d[1].Finish(applied: true);
        d[0].Finish(applied: true);
        Assert.Empty(_sent);

        // The third one held: all three go, in arrival order.
        d[2].Finish(applied: true);
        Assert.Equal([0, 1, 2], _sent);

        // Still stuck: later ones are not held.
        d[4].Finish(applied: true);
        Assert.Equal([0, 1, 2, 4], _sent);

        // The stuck one finishes: it goes, and holding resumes for what comes after it.
        stuck.Finish(applied: true);
        Assert.Equal([0, 1, 2, 4, "stuck"], _sent);
        d[5].Finish(applied: true);
        Assert.Equal([0, 1, 2, 4, "stuck"], _sent);
        d[3].Finish(applied: true);
        Assert.Equal([0, 1, 2, 4, "stuck", 3, 5], _sent);
        Assert.Equal(0, acks.Count);
    }

    [Fact]
    public void A_message_finished_twice_is_acknowledged_once()
    {
        OrderedAcks acks = Create(holdAtMost: 4);
        OrderedAcks.Delivery a = acks.Add("a");
        OrderedAcks.Delivery b = acks.Add("b");

        b.Finish(applied: true);
        b.Finish(applied: true);
        a.Finish(applied: true);
        a.Finish(applied: true);

        Assert.Equal(["a", "b"], _sent);
    }

    [Fact]
    public async Task Messages_finished_from_many_threads_are_each_acknowledged_once()
    {
        var sent = new System.Collections.Concurrent.ConcurrentBag<object>();
        var acks = new OrderedAcks(holdAtMost: 50, m => sent.Add(m));
        OrderedAcks.Delivery[] d = [.. Enumerable.Range(0, 20_000).Select(i => acks.Add(i))];
        int[] order = [.. Enumerable.Range(0, d.Length).OrderBy(_ => Random.Shared.Next())];

        await Parallel.ForEachAsync(order, (i, _) =>
        {
            d[i].Finish(applied: i % 10 != 0);
            return ValueTask.CompletedTask;
        });

        Assert.Equal(0, acks.Count);
        Assert.Equal(18_000, sent.Count);
        Assert.Equal(18_000, sent.Distinct().Count());
        Assert.DoesNotContain(sent, m => (int)m % 10 == 0);
    }
}
