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
/// </remarks>
public sealed partial class IntakeLanes : IDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly IngestPipeline _pipeline;
    private readonly ILogger<IntakeLanes> _logger;
    private readonly Func<CancellationToken>? _deathSignal;
    private readonly Channel<IntakeItem>[] _lanes;
    private readonly CancellationTokenSource _abandon = new();
    private Task[] _workers = [];
    private long _held;
    private long _peak;
    private long _awaitingDurability;

    /// <param name="deathSignal">
    /// In a cluster: a token that fires when a silo is declared dead. A message whose twin call is
    /// still unanswered then is tried again rather than waited on for Orleans' response timeout.
    /// </param>
    public IntakeLanes(IngestPipeline pipeline, int lanes, int laneCapacity, ILogger<IntakeLanes> logger, Func<CancellationToken>? deathSignal = null)
    {
        _pipeline = pipeline;
        _deathSignal = deathSignal;
        _logger = logger;
        _lanes = new Channel<IntakeItem>[lanes];
        for (int i = 0; i < _lanes.Length; i++)
        {
            // Many writers: every source, and a message whose record failed coming back.
            _lanes[i] = Channel.CreateBounded<IntakeItem>(new BoundedChannelOptions(laneCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
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
            _workers = [.. _lanes.Select(lane => Task.Run(() => RunLaneAsync(lane.Reader), CancellationToken.None))];
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
            await _lanes[IngestTopics.LaneOf(item.Topic, _lanes.Length)].Writer.WriteAsync(item, cancellationToken);
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

        foreach (Channel<IntakeItem> lane in _lanes)
        {
            lane.Writer.TryComplete();
        }

        await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);

        // Records still on their way to the database: their messages are acknowledged once durable.
        long until = Environment.TickCount64 + 10_000;
        while (Interlocked.Read(ref _awaitingDurability) > 0 && Environment.TickCount64 < until)
        {
            await Task.Delay(20, CancellationToken.None);
        }
    }

    public void Dispose() => _abandon.Dispose();

    private async Task RunLaneAsync(ChannelReader<IntakeItem> reader)
    {
        await foreach (IntakeItem item in reader.ReadAllAsync(CancellationToken.None))
        {
            await ApplyAsync(item);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ApplyAsync(IntakeItem item)
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
            CancellationToken death = _deathSignal?.Invoke() ?? default;
            try
            {
                ValueTask<IngestResult> processing = _pipeline.ProcessMqttAsync(item.Topic, item.Payload);
                result = processing.IsCompleted || !death.CanBeCanceled
                    ? await processing
                    : await processing.AsTask().WaitAsync(death);
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
            await _lanes[IngestTopics.LaneOf(item.Topic, _lanes.Length)].Writer.WriteAsync(item, _abandon.Token);
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            LogGivenBack(item.Topic, "its history record could not be written before the silo stopped");
            Done(item, applied: false);
        }
    }

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

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure on a message from {Topic}; it is tried again")]
    private partial void LogUnexpected(Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An uplink from {Topic} could not be recorded ({Reason}); it is tried again")]
    private partial void LogNotDurable(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message from {Topic} was given back to its source unapplied: {Reason}")]
    private partial void LogGivenBack(string topic, string reason);
}
