namespace TwinCity.Gateway.Ingest.Intake;

/// <summary>A batch another silo forwarded to this one, as the source of its messages in the lanes: it answers once every one is done.</summary>
/// <remarks>
/// A message whose lane waits on a silent silo (<see cref="Waiting"/>) is answered at once, so that the
/// rest of the batch, and the sender's later batches, do not wait with it: the sender sends it again
/// later. The copy left in the lane is then no longer current and is dropped when its turn comes,
/// unless its call was already under way; a twin that did apply it takes the next copy as a duplicate.
/// </remarks>
internal sealed class ForwardedBatch(int count, TimeSpan retryFor) : IIntakeSource
{
    private readonly byte[] _outcomes = new byte[count];

    /// <summary>Per message: 1 once it is answered.</summary>
    private readonly int[] _answered = new int[count];
    private readonly TaskCompletionSource<byte[]> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _left = count;

    public TimeSpan RetryFor => retryFor;

    /// <summary>One byte per message once all are answered (<see cref="Affinity.ForwardOutcome"/>).</summary>
    public Task<byte[]> Outcomes => _outcomes.Length == 0 ? Task.FromResult(_outcomes) : _done.Task;

    public bool IsCurrent(in IntakeItem item) => Volatile.Read(ref _answered[item.Tag]) == 0;

    public void Complete(in IntakeItem item, bool applied) =>
        Answer(item.Tag, applied ? Affinity.ForwardOutcome.Applied : Affinity.ForwardOutcome.GivenBack);

    public void Waiting(in IntakeItem item) => Answer(item.Tag, Affinity.ForwardOutcome.WaitsOnSilentSilo);

    private void Answer(int index, byte outcome)
    {
        if (Interlocked.Exchange(ref _answered[index], 1) != 0)
        {
            return;
        }

        _outcomes[index] = outcome;
        if (Interlocked.Decrement(ref _left) == 0)
        {
            _done.TrySetResult(_outcomes);
        }
    }
}
