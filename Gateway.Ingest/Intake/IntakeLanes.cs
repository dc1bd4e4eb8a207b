using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TwinCity.Gateway.Ingest.Mqtt;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces;

namespace TwinCity.Gateway.Ingest.Intake;

/// <summary>
/// The lanes that apply network-server messages on this silo, whatever brought them: the embedded
/// broker, an MQTT connection, or another silo forwarding what belongs to this one's devices.
/// </summary>
/// <remarks>
/// <para>
/// One device's messages keep to one lane (by the device part of the topic) and are applied in the
/// order they came, while devices proceed in parallel. Each lane is bounded: a source that writes
/// into a full lane waits, which holds the broker (or the forwarding silo) back rather than filling
/// memory.
/// </para>
/// <para>
/// A message that meets a passing fault is tried again in its lane, the device's later messages
/// waiting behind it so that its twin never sees a later frame first, for as long as its source
/// allows (<see cref="IIntakeSource.RetryFor"/>). One whose history record fails to commit is tried
/// again behind them: its twin has it already, so the pipeline takes it as a duplicate and writes the
/// record then. Only a message that is final and durable is completed as applied.
/// </para>
/// <para>
/// In a cluster a lane can wait on a twin that lives on a silo that has gone silent (hung, and not
/// yet declared dead): a twin on its way to this silo, say, when that one froze. While some silo is
/// taken for silent (<see cref="LaneWatch.AnySilent"/>), a lane whose call has gone unanswered for
/// <see cref="LaneWatch.SilentAfter"/> sets that message and those queued behind it aside, in order,
/// and marks them as waiting (<see cref="IIntakeSource.Waiting"/>): they are applied once the call is
/// answered (or broken off when the silo is declared dead), but meanwhile they do not hold the places
/// in the MQTT window that the other lanes' messages need.
/// </para>
/// </remarks>
public sealed partial class IntakeLanes : IDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly IngestPipeline _pipeline;
    private readonly ILogger<IntakeLanes> _logger;
    private readonly IngestMetrics? _metrics;
    private readonly LaneWatch? _watch;
    private readonly Lane[] _lanes;
    private readonly CancellationTokenSource _abandon = new();
    private Task[] _workers = [];
    private Task _watcher = Task.CompletedTask;
    private bool _lanesWaited;
    private long _held;
    private long _peak;
    private long _awaitingDurability;

    /// <param name="watch">In a cluster: how the lanes learn of silos declared dead or gone silent; null for a single silo.</param>
    public IntakeLanes(IngestPipeline pipeline, int lanes, int laneCapacity, ILogger<IntakeLanes> logger, LaneWatch? watch = null, IngestMetrics? metrics = null)
    {
        _pipeline = pipeline;
        _watch = watch;
        _metrics = metrics;
        _logger = logger;
        _lanes = new Lane[lanes];
        for (int i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = new Lane(laneCapacity);
        }
    }

    /// <summary>Messages in the lanes or waiting for their record to commit.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>The most <see cref="Held"/> has been since start.</summary>
    public long PeakHeld => Interlocked.Read(ref _peak);

    /// <summary>Whether the lanes were told to give back what they still hold.</summary>
    public bool Abandoned => _abandon.IsCancellationRequested;

    public void Start()
    {
        if (_workers.Length == 0)
        {
            _workers = [.. _lanes.Select(lane => Task.Run(() => RunLaneAsync(lane), CancellationToken.None))];
            if (_watch is not null)
            {
                _watcher = Task.Run(() => WatchAsync(_watch), CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Puts <paramref name="item"/> in its device's lane, waiting while the lane is full. When the
    /// lanes are closed (the silo is stopping) or <paramref name="cancellationToken"/> fires, the item
    /// is completed as not applied before this throws.
    /// </summary>
    public async ValueTask EnqueueAsync(IntakeItem item, CancellationToken cancellationToken = default)
    {
        Take();
        try
        {
            await LaneOf(item).Queue.Writer.WriteAsync(item, cancellationToken);
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            Done(item, applied: false);
            throw;
        }
    }

    /// <summary>
    /// Finishes what the lanes hold (retries included) for up to <paramref name="drain"/>, then gives
    /// back whatever is left, not applied, and stops the lanes.
    /// </summary>
    public async Task StopAsync(TimeSpan drain)
    {
        long deadline = Environment.TickCount64 + (long)drain.TotalMilliseconds;
        while (Held > 0 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20, CancellationToken.None);
        }

        try
        {
            await _abandon.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The host gave up waiting for the stop and disposed the lanes already: nothing left to abandon.
            return;
        }

        foreach (Lane lane in _lanes)
        {
            lane.Queue.Writer.TryComplete();
        }

        await Task.WhenAll([.. _workers, _watcher]).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);

        // Records still on their way to the database: their messages are acknowledged once durable.
        long until = Environment.TickCount64 + 10_000;
        while (Interlocked.Read(ref _awaitingDurability) > 0 && Environment.TickCount64 < until)
        {
            await Task.Delay(20, CancellationToken.None);
        }
    }

    public void Dispose() => _abandon.Dispose();

    private async Task RunLaneAsync(Lane lane)
    {
        while (true)
        {
            if (lane.TryTake(out IntakeItem item))
            {
                await ApplyAsync(lane, item);
            }
            else if (!await lane.Queue.Reader.WaitToReadAsync(CancellationToken.None))
            {
                // Closed and empty; nothing is set aside but while a call of this lane's is under way.
                return;
            }
        }
    }

    /// <summary>
    /// While some silo is taken for silent, sets aside the messages of each lane whose twin call has
    /// gone unanswered for <see cref="LaneWatch.SilentAfter"/>, a few times within that period.
    /// </summary>
    private async Task WatchAsync(LaneWatch watch)
    {
        long silentAfter = Math.Max(1, (long)watch.SilentAfter.TotalMilliseconds);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Clamp(silentAfter / 4, 10, 250)));
        var marked = new List<IntakeItem>();
        try
        {
            while (await timer.WaitForNextTickAsync(_abandon.Token))
            {
                if (!watch.AnySilent())
                {
                    _lanesWaited = false;
                    continue;
                }

                long unansweredSince = Environment.TickCount64 - silentAfter;
                int lanes = 0;
                foreach (Lane lane in _lanes)
                {
                    if (lane.SetAside(unansweredSince, marked))
                    {
                        lanes++;
                    }
                }

                if (marked.Count == 0)
                {
                    continue;
                }

                // Marked outside the lanes' locks: a source may wake its reader as it frees a place.
                foreach (IntakeItem item in marked)
                {
                    item.Source.Waiting(item);
                }

                _metrics?.SetAside(marked.Count);
                if (!_lanesWaited)
                {
                    _lanesWaited = true;
                    LogLanesWaiting(lanes, silentAfter, marked.Count);
                }

                marked.Clear();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ApplyAsync(Lane lane, IntakeItem item)
    {
        TimeSpan delay = FirstRetryDelay;
        long giveUpAt = GiveUpAt(item.Source);
        while (true)
        {
            if (!item.Source.IsCurrent(item))
            {
                // Its connection is gone: the broker delivers it again on the next one.
                Done(item, applied: false);
                return;
            }

            IngestResult result;
            CancellationToken death = _watch?.DeathSignal() ?? default;
            try
            {
                ValueTask<IngestResult> processing = _pipeline.ProcessMqttAsync(item.Topic, item.Payload);
                if (processing.IsCompleted || !death.CanBeCanceled)
                {
                    result = await processing;
                }
                else
                {
                    lane.CallBegun(item);
                    try
                    {
                        result = await processing.AsTask().WaitAsync(death);
                    }
                    finally
                    {
                        lane.CallEnded();
                    }
                }
            }
            catch (OperationCanceledException) when (death.IsCancellationRequested)
            {
                // The call may have been on its way to the dead silo. If it did arrive, the twin
                // answers the next try as a duplicate.
                result = new IngestResult(IngestOutcome.Retry, "silo-lost", "a silo was declared dead while the message's twin call was unanswered");
            }
            catch (Exception ex)
            {
                // The pipeline turns bad input into dead letters; anything else is a passing fault.
                LogUnexpected(ex, item.Topic);
                result = new IngestResult(IngestOutcome.Retry, "unexpected", ex.Message);
            }

            if (result.Durable is { } durable)
            {
                // The lane goes on with the next message; this one is done once its record is durable.
                _ = DoneWhenDurableAsync(item, durable, giveUpAt);
                return;
            }

            if (result.IsFinal)
            {
                Done(item, applied: true);
                return;
            }

            if (_abandon.IsCancellationRequested || Environment.TickCount64 >= giveUpAt)
            {
                LogGivenBack(item.Topic, result.Detail ?? result.Reason ?? "a passing fault");
                Done(item, applied: false);
                return;
            }

            try
            {
                await Task.Delay(delay, _abandon.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopping: one last try above.
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private async Task DoneWhenDurableAsync(IntakeItem item, Task durable, long giveUpAt)
    {
        Interlocked.Increment(ref _awaitingDurability);
        try
        {
            await durable;
            Done(item, applied: true);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotDurable(item.Topic, ex.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _awaitingDurability);
        }

        if (Environment.TickCount64 >= giveUpAt || !item.Source.IsCurrent(item))
        {
            Done(item, applied: false);
            return;
        }

        try
        {
            // Again, behind whatever the device sent since: its twin has it already, so the pipeline
            // takes it as a duplicate and writes the record that failed.
            await Task.Delay(FirstRetryDelay, _abandon.Token);
            await LaneOf(item).Queue.Writer.WriteAsync(item, _abandon.Token);
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            LogGivenBack(item.Topic, "its history record could not be written before the silo stopped");
            Done(item, applied: false);
        }
    }

    private Lane LaneOf(in IntakeItem item) => _lanes[IngestTopics.LaneOf(item.Topic, _lanes.Length)];

    private static long GiveUpAt(IIntakeSource source) =>
        source.RetryFor == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)source.RetryFor.TotalMilliseconds;

    private void Take() => HighWater.Raise(ref _peak, Interlocked.Increment(ref _held));

    private void Done(in IntakeItem item, bool applied)
    {
        try
        {
            item.Source.Complete(item, applied);
        }
        finally
        {
            if (item.Pooled is { } pooled)
            {
                PayloadBuffers.Return(pooled);
            }

            Interlocked.Decrement(ref _held);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Lanes} ingest lanes have waited over {Milliseconds} ms on a twin call while a silo is silent; {Count} messages wait outside the MQTT window until the calls are answered or the silo is declared dead")]
    private partial void LogLanesWaiting(int lanes, long milliseconds, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure on a message from {Topic}; it is tried again")]
    private partial void LogUnexpected(Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An uplink from {Topic} could not be recorded ({Reason}); it is tried again")]
    private partial void LogNotDurable(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message from {Topic} was given back to its source unapplied: {Reason}")]
    private partial void LogGivenBack(string topic, string reason);

    /// <summary>
    /// One lane: its bounded queue, and what was set aside while its call went unanswered, which comes
    /// before what is still queued.
    /// </summary>
    private sealed class Lane(int capacity)
    {
        // Many writers: every source, and a message whose record failed coming back. Read by the
        // lane's worker and, while the worker waits on a call, by the watch that sets messages aside,
        // one at a time under the lane's lock.
        public readonly Channel<IntakeItem> Queue = Channel.CreateBounded<IntakeItem>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait });

        private readonly Lock _lock = new();
        private readonly Queue<IntakeItem> _aside = new();
        private IntakeItem _current;
        private long _callSince;
        private bool _currentMarked;
        private volatile bool _anyAside;

        /// <summary>The next message: the oldest set aside, else the next queued.</summary>
        public bool TryTake(out IntakeItem item)
        {
            if (!_anyAside)
            {
                // Nothing is set aside while the worker is here rather than in a call.
                return Queue.Reader.TryRead(out item);
            }

            lock (_lock)
            {
                if (_aside.TryDequeue(out item))
                {
                    _anyAside = _aside.Count > 0;
                    return true;
                }

                _anyAside = false;
                return Queue.Reader.TryRead(out item);
            }
        }

        /// <summary>The worker waits on <paramref name="item"/>'s twin call.</summary>
        public void CallBegun(in IntakeItem item)
        {
            lock (_lock)
            {
                _current = item;
                _currentMarked = false;
                _callSince = Environment.TickCount64;
            }
        }

        public void CallEnded()
        {
            lock (_lock)
            {
                _callSince = 0;
                _current = default;
            }
        }

        /// <summary>
        /// If the call under way began before <paramref name="unansweredSince"/>: adds its message (once)
        /// and those queued behind it to <paramref name="marked"/>, moving the queued ones aside.
        /// </summary>
        public bool SetAside(long unansweredSince, List<IntakeItem> marked)
        {
            long since = Volatile.Read(ref _callSince);
            if (since == 0 || since > unansweredSince)
            {
                return false;
            }

            lock (_lock)
            {
                if (_callSince == 0)
                {
                    return false;
                }

                if (!_currentMarked)
                {
                    _currentMarked = true;
                    marked.Add(_current);
                }

                while (Queue.Reader.TryRead(out IntakeItem queued))
                {
                    _aside.Enqueue(queued);
                    marked.Add(queued);
                    _anyAside = true;
                }
            }

            return true;
        }
    }
}

/// <summary>What the lanes of a cluster silo learn of the other silos.</summary>
/// <param name="DeathSignal">A token that fires when a silo is declared dead: a message whose twin call is still unanswered then is tried again rather than waited on for Orleans' response timeout.</param>
/// <param name="AnySilent">Whether some silo is taken for silent now (it left a batch and a ping unanswered).</param>
/// <param name="SilentAfter">How long a lane's call may go unanswered, while some silo is silent, before its messages are set aside.</param>
public sealed record LaneWatch(Func<CancellationToken> DeathSignal, Func<bool> AnySilent, TimeSpan SilentAfter);
