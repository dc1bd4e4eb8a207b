using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Server;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// Ingest inside the embedded broker: a network-server message is handed to ingest's lanes as the
/// broker receives it, instead of being queued for an MQTT session of ingest's own and sent back over
/// a loopback connection. That hop cost the silo more CPU than ingest itself, for nothing: the broker
/// and ingest live and die in the same process.
/// </summary>
/// <remarks>
/// <para>
/// The publisher's acknowledgement (PUBACK) is sent once the message is in a lane, as the broker sends
/// it once the message is queued for its subscribers; each lane is bounded
/// (<see cref="MqttOptions.InFlight"/> messages), and while a lane is full the broker reads no more from
/// that publisher, so slow twins hold the network server back through TCP rather than fill memory.
/// </para>
/// <para>
/// As with <see cref="MqttIngestConsumer"/>, one device's messages keep to one lane and are applied in
/// the order they arrived, while devices proceed in parallel. A message that meets a passing fault
/// is tried again in its lane (the device's later messages wait behind it, so the twin never sees a
/// later frame first), and one whose history record fails is tried again behind them. On the way out
/// the broker takes no more (a publisher's connection is closed without an acknowledgement, so it
/// sends again elsewhere or later) and the lanes are finished.
/// </para>
/// <para>
/// Network-server events on the embedded broker go to ingest only, not to other subscribers; turn
/// this off (<c>Mqtt:InProcess=false</c>) to watch them with an MQTT client.
/// </para>
/// </remarks>
public sealed partial class BrokerHandoff : IHostedService, IMqttIntake, IDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private readonly IngestPipeline _pipeline;
    private readonly ILogger<BrokerHandoff> _logger;
    private readonly Channel<Item>[] _lanes;
    private readonly CancellationTokenSource _abandon = new();
    private Task[] _workers = [];
    private long _received;
    private long _held;
    private long _peak;
    private bool _stopping;

    public BrokerHandoff(IngestPipeline pipeline, IngestMetrics metrics, IOptions<MqttOptions> options, ILogger<BrokerHandoff> logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(options);
        _pipeline = pipeline;
        _logger = logger;
        int capacity = options.Value.InFlight;
        _lanes = new Channel<Item>[options.Value.Lanes];
        for (int i = 0; i < _lanes.Length; i++)
        {
            // Many writers: the broker's publishers, and a message whose record failed coming back.
            _lanes[i] = Channel.CreateBounded<Item>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        }

        metrics.ObservePending(() => Pending);
    }

    public long Received => Interlocked.Read(ref _received);

    public long Pending => Interlocked.Read(ref _held);

    public long PeakPending => Interlocked.Read(ref _peak);

    /// <summary>Always zero: ingest is part of the broker, which runs as long as the silo does.</summary>
    public TimeSpan Disconnected => TimeSpan.Zero;

    /// <summary>
    /// The broker's publish interceptor: takes network-server events for ingest and leaves every other
    /// message (downlinks to network servers, anything else) to the broker.
    /// </summary>
    public async Task InterceptAsync(InterceptingPublishEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string topic = e.ApplicationMessage.Topic;
        if (topic is null || !IngestTopics.IsNetworkServerEvent(topic))
        {
            return;
        }

        e.ProcessPublish = false;
        if (Volatile.Read(ref _stopping))
        {
            // Not taken, not acknowledged: the publisher sends it again once it is connected again.
            e.CloseConnection = true;
            return;
        }

        byte[] buffer = PayloadBuffers.Copy(e.ApplicationMessage.Payload, out int length);
        var item = new Item(topic, buffer, length);
        Take();
        try
        {
            await _lanes[IngestTopics.LaneOf(topic, _lanes.Length)].Writer.WriteAsync(item, e.CancellationToken);
            Interlocked.Increment(ref _received);
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            // The silo is stopping or the publisher went away meanwhile: unacknowledged, so sent again.
            Release(item);
            e.CloseConnection = true;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _workers = [.. _lanes.Select(lane => Task.Run(() => RunLaneAsync(lane.Reader), CancellationToken.None))];
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _stopping, true);

        // What the lanes hold was acknowledged to its publishers: finish it (retries included) before the twins go.
        long deadline = Environment.TickCount64 + (long)DrainTimeout.TotalMilliseconds;
        while (Pending > 0 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20, CancellationToken.None);
        }

        long left = Pending;
        await _abandon.CancelAsync();
        foreach (Channel<Item> lane in _lanes)
        {
            lane.Writer.TryComplete();
        }

        await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        if (left > 0)
        {
            LogNotFinished(left);
        }

        LogStopped(Received);
    }

    public void Dispose() => _abandon.Dispose();

    private async Task RunLaneAsync(ChannelReader<Item> reader)
    {
        await foreach (Item item in reader.ReadAllAsync(CancellationToken.None))
        {
            await ApplyAsync(item);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ApplyAsync(Item item)
    {
        TimeSpan delay = FirstRetryDelay;
        while (true)
        {
            IngestResult result;
            try
            {
                result = await ProcessAsync(item);
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
                _ = ReleaseWhenDurableAsync(item, durable);
                return;
            }

            if (result.IsFinal)
            {
                Release(item);
                return;
            }

            if (_abandon.IsCancellationRequested)
            {
                LogLost(item.Topic, result.Detail ?? result.Reason ?? "a passing fault");
                Release(item);
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

    private async Task ReleaseWhenDurableAsync(Item item, Task durable)
    {
        try
        {
            await durable;
            Release(item);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotDurable(item.Topic, ex.Message);
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
            LogLost(item.Topic, "its history record could not be written before the silo stopped");
            Release(item);
        }
    }

    private ValueTask<IngestResult> ProcessAsync(Item item) => _pipeline.ProcessMqttAsync(item.Topic, item.Buffer.AsMemory(0, item.Length));

    private void Take() => HighWater.Raise(ref _peak, Interlocked.Increment(ref _held));

    /// <summary>The message is done with (applied, refused or given up): its bytes go back to the pool.</summary>
    private void Release(Item item)
    {
        PayloadBuffers.Return(item.Buffer);
        Interlocked.Decrement(ref _held);
    }

    /// <summary>A message in a lane: its bytes are the first <see cref="Length"/> of a pooled <see cref="Buffer"/>.</summary>
    private readonly record struct Item(string Topic, byte[] Buffer, int Length);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest stopped taking uplinks from the embedded broker after {Received} messages")]
    private partial void LogStopped(long received);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest stopped with {Left} acknowledged messages not applied")]
    private partial void LogNotFinished(long left);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure on a message from {Topic}; it is tried again")]
    private partial void LogUnexpected(Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An uplink from {Topic} could not be recorded ({Reason}); it is tried again")]
    private partial void LogNotDurable(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A message from {Topic} was not applied before the silo stopped: {Reason}")]
    private partial void LogLost(string topic, string reason);
}
