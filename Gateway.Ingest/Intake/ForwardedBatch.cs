namespace TwinCity.Gateway.Ingest.Intake;

/// <summary>A batch another silo forwarded to this one, as the source of its messages in the lanes: it answers once every one is done.</summary>
internal sealed class ForwardedBatch(int count, TimeSpan retryFor) : IIntakeSource
{
    private readonly byte[] _outcomes = new byte[count];
    private readonly TaskCompletionSource<byte[]> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _left = count;

    public TimeSpan RetryFor => retryFor;

    /// <summary>One byte per message once all are done: 1 applied, 0 given back.</summary>
    public Task<byte[]> Outcomes => _outcomes.Length == 0 ? Task.FromResult(_outcomes) : _done.Task;

    public bool IsCurrent(in IntakeItem item) => true;

    public void Complete(in IntakeItem item, bool applied)
    {
        _outcomes[item.Tag] = applied ? (byte)1 : (byte)0;
        if (Interlocked.Decrement(ref _left) == 0)
        {
            _done.TrySetResult(_outcomes);
        }
    }
}
