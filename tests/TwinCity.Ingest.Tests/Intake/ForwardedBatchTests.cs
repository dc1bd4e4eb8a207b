using TwinCity.Gateway.Ingest.Affinity;
using TwinCity.Gateway.Ingest.Intake;

namespace TwinCity.Ingest.Tests.Intake;

public sealed class ForwardedBatchTests
{
    [Fact]
    public async Task Answers_once_every_message_is_done_with_what_became_of_each()
    {
        var batch = new ForwardedBatch(3, TimeSpan.FromSeconds(5));
        batch.Complete(Item(batch, 0), applied: true);
        batch.Complete(Item(batch, 2), applied: false);
        Assert.False(batch.Outcomes.IsCompleted);

        batch.Complete(Item(batch, 1), applied: true);

        byte[] outcomes = await batch.Outcomes;
        Assert.Equal(new byte[] { ForwardOutcome.Applied, ForwardOutcome.Applied, ForwardOutcome.GivenBack }, outcomes);
    }

    [Fact]
    public async Task A_message_that_waits_on_a_silent_silo_is_answered_at_once_and_its_copy_in_the_lane_is_no_longer_current()
    {
        var batch = new ForwardedBatch(2, TimeSpan.FromSeconds(5));
        IntakeItem waiting = Item(batch, 0);
        batch.Complete(Item(batch, 1), applied: true);

        batch.Waiting(waiting);

        Assert.True(batch.Outcomes.IsCompleted);
        byte[] outcomes = await batch.Outcomes;
        Assert.Equal(new byte[] { ForwardOutcome.WaitsOnSilentSilo, ForwardOutcome.Applied }, outcomes);
        Assert.False(batch.IsCurrent(waiting));
        Assert.False(batch.IsCurrent(Item(batch, 1)));

        // The lane reaches it later: the answer given stands.
        batch.Complete(waiting, applied: true);
        batch.Waiting(waiting);
        Assert.Equal(new byte[] { ForwardOutcome.WaitsOnSilentSilo, ForwardOutcome.Applied }, outcomes);
    }

    [Fact]
    public void A_message_not_yet_answered_is_current()
    {
        var batch = new ForwardedBatch(2, TimeSpan.FromSeconds(5));
        batch.Complete(Item(batch, 0), applied: false);

        Assert.False(batch.IsCurrent(Item(batch, 0)));
        Assert.True(batch.IsCurrent(Item(batch, 1)));
    }

    [Fact]
    public async Task An_empty_batch_is_answered_at_once()
    {
        Assert.Empty(await new ForwardedBatch(0, TimeSpan.FromSeconds(5)).Outcomes);
    }

    private static IntakeItem Item(ForwardedBatch batch, int index) =>
        new("application/1/device/0000000000000001/event/up", new byte[] { 1 }, null, batch, null, index);
}
