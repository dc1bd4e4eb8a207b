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
/// <para>
/// An owner that leaves a batch unanswered for <see cref="IngestOptions.SilentOwnerAfter"/> is busy
/// or hung. It is asked for a ping, which a busy silo answers at once: one that leaves that unanswered
/// as long too is taken for hung, and the cluster takes seconds to declare it dead. Meanwhile the batch, the messages queued
/// behind it and those that come for that owner until it answers are marked as waiting
/// (<see cref="IIntakeSource.Waiting"/>): still unacknowledged, but no longer taking the places in
/// this silo's MQTT window that its own devices' uplinks need.
/// </para>
/// </remarks>
internal sealed partial class Forwarder
{
    private readonly SiloAddress _owner;
    private readonly IIngestForwardService _service;
    private readonly Task _ownerGone;
    private readonly IngestIntake _intake;
    private readonly IngestMetrics _metrics;
    private readonly TimeSpan _window;
    private readonly TimeSpan _silentAfter;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly Channel<IntakeItem> _queue = Channel.CreateUnbounded<IntakeItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _sender;

    /// <summary>Messages queued and not yet taken into a batch (a single-reader channel does not count them).</summary>
    private int _queued;

    /// <summary>Messages taken off the queue while the owner was silent, sent before what is still queued.</summary>
    private readonly Queue<IntakeItem> _backlog = new();

    /// <summary>Whether the batch on its way has gone unanswered for longer than <see cref="_silentAfter"/>.</summary>
    private volatile bool _silent;

    public Forwarder(SiloAddress owner, IIngestForwardService service, Task ownerGone, IngestIntake intake, IngestMetrics metrics, TimeSpan window, TimeSpan silentAfter, int maxBatch, ILogger logger)
    {
        _silentAfter = silentAfter;
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
        if (_silent)
        {
            // Read after the write: if the sender turned silent before, it may have emptied the queue
            // already without this one; marking it twice does nothing.
            item.Source.Waiting(item);
        }

        return true;
    }

    /// <summary>Takes no more; what is queued is given back to its sources, not applied.</summary>
    public async Task CloseAsync()
    {
        _queue.Writer.TryComplete();
        await _sender.WaitAsync(TimeSpan.FromSeconds(35)).ContinueWith(_ => { }, TaskScheduler.Default);
        while (_backlog.TryDequeue(out IntakeItem item) || _queue.Reader.TryRead(out item))
        {
            _intake.Finish(item, applied: false);
        }
    }

    private async Task RunAsync()
    {
        ChannelReader<IntakeItem> reader = _queue.Reader;
        var items = new List<IntakeItem>(_maxBatch);
        while (_backlog.Count > 0 || await reader.WaitToReadAsync())
        {
            if (_backlog.Count == 0 && Volatile.Read(ref _queued) < _maxBatch && _window > TimeSpan.Zero)
            {
                // Let a few more arrive: each batch is two messages between silos (call and answer).
                await Task.Delay(_window);
            }

            items.Clear();
            while (items.Count < _maxBatch && _backlog.TryDequeue(out IntakeItem waiting))
            {
                items.Add(waiting);
            }

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
                if (call.IsCompleted || await AnswerOrDepartureAsync(call, items) == call)
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
            byte outcome = i < outcomes.Length ? outcomes[i] : ForwardOutcome.GivenBack;
            if (outcome == ForwardOutcome.Applied)
            {
                _intake.Finish(items[i], applied: true);
                continue;
            }

            if (outcome == ForwardOutcome.WaitsOnSilentSilo)
            {
                // Its twin waits on a silo that has gone silent, where the owner applies it: the owner
                // answered at once rather than hold the batch, and it waits here outside the window.
                items[i].Source.Waiting(items[i]);
            }

            _intake.RouteAgainLater(items[i]);
        }
    }

    /// <summary>
    /// Waits for the owner's answer or its departure. Should the answer take longer than
    /// <see cref="_silentAfter"/>, the batch and everything queued for the owner wait outside this
    /// silo's window from then on, and so does whatever comes for it until it answers.
    /// </summary>
    private async Task<Task> AnswerOrDepartureAsync(Task<byte[]> call, List<IntakeItem> items)
    {
        while (true)
        {
            Task? first = await WithinSilenceAsync(call, _ownerGone);
            if (first == call || first == _ownerGone)
            {
                return first;
            }

            // The batch takes long: is the owner busy, or hung?
            Task ping = PingAsync();
            first = await WithinSilenceAsync(call, _ownerGone, ping);
            if (first == call || first == _ownerGone)
            {
                return first;
            }

            if (first != ping || !ping.IsCompletedSuccessfully)
            {
                break;
            }
        }

        _silent = true;
        _intake.OwnerSilent(true);
        try
        {
            LogOwnerSilent(_owner.ToString(), (long)(2 * _silentAfter.TotalMilliseconds));
            foreach (IntakeItem item in items)
            {
                item.Source.Waiting(item);
            }

            while (_queue.Reader.TryRead(out IntakeItem queued))
            {
                Interlocked.Decrement(ref _queued);
                queued.Source.Waiting(queued);
                _backlog.Enqueue(queued);
            }

            return await Task.WhenAny(call, _ownerGone);
        }
        finally
        {
            _silent = false;
            _intake.OwnerSilent(false);
        }
    }

    /// <summary>The first of <paramref name="tasks"/> to complete within <see cref="_silentAfter"/>; null when none did.</summary>
    private async Task<Task?> WithinSilenceAsync(params Task[] tasks)
    {
        using var silence = new CancellationTokenSource();
        Task quiet = Task.Delay(_silentAfter, silence.Token);
        Task first = await Task.WhenAny([.. tasks, quiet]);
        silence.Cancel();
        return first == quiet ? null : first;
    }

    private async Task PingAsync()
    {
        try
        {
            await _service.PingAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Unreachable: as silent as a hung silo.
            await _ownerGone;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Owner} has answered neither a batch nor a ping for {Milliseconds} ms; the messages for it wait outside this silo's MQTT window until it answers or is declared dead")]
    private partial void LogOwnerSilent(string owner, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Owner} has left: {Count} messages for it are routed again")]
    private partial void LogOwnerLeft(string owner, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} messages could not be passed to silo {Owner} ({ExceptionType}: {Reason}); they are routed again")]
    private partial void LogForwardFailed(string owner, int count, string exceptionType, string reason);
}
