using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TwinCity.Gateway.Ingest.Intake;
using TwinCity.Gateway.Ingest.Pipeline;

namespace TwinCity.Gateway.Ingest.Affinity;

/// <summary>
/// Carries the messages this silo received for one other silo's devices to that silo, in batches.
/// </summary>
/// <remarks>
/// One batch is on its way at a time: what arrives meanwhile waits and goes in the next, so batches
/// grow with the load and the round trip (a busy cluster sends hundreds of messages per call, an idle
/// one a few after <see cref="IngestOptions.ForwardWindow"/>), and one device's messages reach the
/// owner in the order this silo received them. A message comes back to the sender when the owner
/// gave it back or could not be reached; the sender routes it again after a pause, by the ownership
/// of that moment (a dead owner is off the ring by then). A batch the owner had not answered when it
/// left (stopped, or declared dead) comes back as soon as the membership shows it gone, rather than
/// after the call's whole response timeout.
/// </remarks>
internal sealed partial class Forwarder
{
    private readonly SiloAddress _owner;
    private readonly IIngestForwardService _service;
    private readonly Task _ownerGone;
    private readonly IngestIntake _intake;
    private readonly IngestMetrics _metrics;
    private readonly TimeSpan _window;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly Channel<IntakeItem> _queue = Channel.CreateUnbounded<IntakeItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _sender;

    /// <summary>Messages queued and not yet taken into a batch (a single-reader channel does not count them).</summary>
    private int _queued;

    public Forwarder(SiloAddress owner, IIngestForwardService service, Task ownerGone, IngestIntake intake, IngestMetrics metrics, TimeSpan window, int maxBatch, ILogger logger)
    {
        _owner = owner;
        _service = service;
        _ownerGone = ownerGone;
        _intake = intake;
        _metrics = metrics;
        _window = window;
        _maxBatch = maxBatch;
        _logger = logger;
        _sender = Task.Run(RunAsync);
    }

    /// <summary>Queues <paramref name="item"/> for the owner; false once this forwarder is closed.</summary>
    public bool TryEnqueue(in IntakeItem item)
    {
        if (!_queue.Writer.TryWrite(item))
        {
            return false;
        }

        Interlocked.Increment(ref _queued);
        return true;
    }

    /// <summary>Takes no more; what is queued is given back to its sources, not applied.</summary>
    public async Task CloseAsync()
    {
        _queue.Writer.TryComplete();
        await _sender.WaitAsync(TimeSpan.FromSeconds(35)).ContinueWith(_ => { }, TaskScheduler.Default);
        while (_queue.Reader.TryRead(out IntakeItem item))
        {
            _intake.Finish(item, applied: false);
        }
    }

    private async Task RunAsync()
    {
        ChannelReader<IntakeItem> reader = _queue.Reader;
        var items = new List<IntakeItem>(_maxBatch);
        while (await reader.WaitToReadAsync())
        {
            if (Volatile.Read(ref _queued) < _maxBatch && _window > TimeSpan.Zero)
            {
                // Let a few more arrive: each batch is two messages between silos (call and answer).
                await Task.Delay(_window);
            }

            items.Clear();
            while (items.Count < _maxBatch && reader.TryRead(out IntakeItem item))
            {
                items.Add(item);
            }

            Interlocked.Add(ref _queued, -items.Count);
            try
            {
                await SendAsync(items);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Never leaves the loop: a sender that died would strand every message queued behind it.
                LogForwardFailed(_owner.ToString(), items.Count, ex.GetType().Name, ex.Message);
            }
        }
    }

    private async Task SendAsync(List<IntakeItem> items)
    {
        byte[] outcomes = [];
        try
        {
            if (_ownerGone.IsCompleted)
            {
                // The ownership table follows the ring a moment after the membership: until it does,
                // nothing is sent to an owner known to have left.
                LogOwnerLeft(_owner.ToString(), items.Count);
            }
            else
            {
                ForwardBatch batch = ForwardBatch.Of(items);
                _metrics.AddForwarded(items.Count);
                Task<byte[]> call = _service.ApplyAsync(batch);
                if (call.IsCompleted || await Task.WhenAny(call, _ownerGone) == call)
                {
                    outcomes = await call;
                }
                else
                {
                    // A request the owner had not answered when it left is never answered: Orleans waits
                    // out the whole response timeout (10 s), while the devices' later uplinks reach their
                    // new owner and are applied, and frames that come that late fall outside their twins'
                    // window and are dropped as old. Routed again now; any the owner did apply come again
                    // as duplicates, which the twins drop.
                    _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    LogOwnerLeft(_owner.ToString(), items.Count);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogForwardFailed(_owner.ToString(), items.Count, ex.GetType().Name, ex.Message);
            outcomes = [];
        }

        for (int i = 0; i < items.Count; i++)
        {
            if (i < outcomes.Length && outcomes[i] == 1)
            {
                _intake.Finish(items[i], applied: true);
            }
            else
            {
                _intake.RouteAgainLater(items[i]);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Owner} has left: {Count} messages for it are routed again")]
    private partial void LogOwnerLeft(string owner, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} messages could not be passed to silo {Owner} ({ExceptionType}: {Reason}); they are routed again")]
    private partial void LogForwardFailed(string owner, int count, string exceptionType, string reason);
}
