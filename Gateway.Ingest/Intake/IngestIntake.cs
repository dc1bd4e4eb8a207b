using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TwinCity.Gateway.Ingest.Affinity;
using TwinCity.Gateway.Ingest.Mqtt;
using TwinCity.Gateway.Ingest.Pipeline;

namespace TwinCity.Gateway.Ingest.Intake;

/// <summary>
/// The one way network-server messages enter ingest, whichever source brought them: each goes to the
/// silo that owns its device (<see cref="DeviceOwnership"/>), in a batch when that is another silo, and
/// into this silo's <see cref="IntakeLanes"/> when it is this one. Without a cluster every device is
/// this silo's own.
/// </summary>
/// <remarks>
/// A hosted service started before the sources and stopped after them: a source that stops first
/// finishes what it took, through here, while the lanes still run.
/// </remarks>
public sealed partial class IngestIntake : IHostedService, IDisposable
{
    private static readonly TimeSpan RouteAgainAfter = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private readonly IntakeLanes _lanes;
    private readonly IngestMetrics _metrics;
    private readonly IngestOptions _options;
    private readonly DeviceOwnership? _ownership;
    private readonly IngestForwardClient? _forwardClient;
    private readonly ILogger<IngestIntake> _logger;
    private readonly ILoggerFactory _loggers;
    private readonly ConcurrentDictionary<SiloAddress, Forwarder> _forwarders = new();
    private volatile bool _stopping;

    /// <summary>Forwarders whose owner has gone silent (left a batch and a ping unanswered).</summary>
    private int _silentOwners;

    public IngestIntake(
        IngestPipeline pipeline,
        IngestMetrics metrics,
        IOptions<MqttOptions> mqtt,
        IOptions<IngestOptions> options,
        ILoggerFactory loggers,
        DeviceOwnership? ownership = null,
        IngestForwardClient? forwardClient = null)
    {
        ArgumentNullException.ThrowIfNull(mqtt);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _metrics = metrics;
        _options = options.Value;
        _ownership = ownership;
        _forwardClient = forwardClient;
        _logger = loggers.CreateLogger<IngestIntake>();
        _loggers = loggers;
        _lanes = new IntakeLanes(pipeline, mqtt.Value.Lanes, mqtt.Value.InFlight, loggers.CreateLogger<IntakeLanes>(),
            ownership is null ? null : new LaneWatch(() => ownership.DeathSignal, () => Volatile.Read(ref _silentOwners) > 0, _options.SilentOwnerAfter),
            metrics);
    }

    /// <summary>Messages in this silo's lanes (its own and those forwarded to it), not yet done with.</summary>
    public long Held => _lanes.Held;

    /// <summary>Whether the intake takes messages (false once the silo is stopping).</summary>
    public bool Accepting => !_stopping;

    /// <summary>
    /// Routes <paramref name="item"/>: to its owner's batch when another silo owns the device, else into
    /// its lane here (waiting while the lane is full). Once the intake is stopping, or if
    /// <paramref name="cancellationToken"/> fires, the item is completed as not applied and this throws
    /// (<see cref="System.Threading.Channels.ChannelClosedException"/> or <see cref="OperationCanceledException"/>).
    /// </summary>
    public ValueTask SubmitAsync(IntakeItem item, CancellationToken cancellationToken = default)
    {
        if (!_stopping && _ownership?.RemoteOwnerOf(item.Topic) is { } owner && ForwarderFor(owner).TryEnqueue(item))
        {
            return ValueTask.CompletedTask;
        }

        return _lanes.EnqueueAsync(item, cancellationToken);
    }

    /// <summary>
    /// Applies a batch another silo forwarded here, in this silo's lanes whatever the ring says now
    /// (sending it on again could make two silos pass it to and fro), and answers once each is done.
    /// </summary>
    public async Task<byte[]> ApplyForwardedAsync(ForwardBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_stopping)
        {
            return new byte[batch.Count];
        }

        _metrics.AddForwardedIn(batch.Count);
        var source = new ForwardedBatch(batch.Count, _options.ForwardedRetryFor);
        for (int i = 0; i < batch.Count; i++)
        {
            try
            {
                await _lanes.EnqueueAsync(new IntakeItem(batch.Topics[i], batch.Payload(i), null, source, null, i));
            }
            catch (Exception ex) when (ex is System.Threading.Channels.ChannelClosedException or OperationCanceledException)
            {
                // Completed as given back already; the sender routes it again.
            }
        }

        return await source.Outcomes;
    }

    /// <summary>Tells <paramref name="item"/>'s source it is done with, and returns its buffer.</summary>
    internal void Finish(in IntakeItem item, bool applied)
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
        }
    }

    /// <summary>A forwarder's owner went silent (<paramref name="silent"/>) or answered again.</summary>
    internal void OwnerSilent(bool silent) => Interlocked.Add(ref _silentOwners, silent ? 1 : -1);

    /// <summary>Routes <paramref name="item"/> again after a pause, by the ownership of that moment.</summary>
    internal void RouteAgainLater(IntakeItem item) => _ = RouteAgainAsync(item);

    private async Task RouteAgainAsync(IntakeItem item)
    {
        await Task.Delay(RouteAgainAfter, CancellationToken.None);
        if (_stopping || !item.Source.IsCurrent(item))
        {
            Finish(item, applied: false);
            return;
        }

        try
        {
            await SubmitAsync(item);
        }
        catch (Exception ex) when (ex is System.Threading.Channels.ChannelClosedException or OperationCanceledException)
        {
            // Completed as given back already.
        }
    }

    private Forwarder ForwarderFor(SiloAddress owner) =>
        _forwarders.TryGetValue(owner, out Forwarder? forwarder)
            ? forwarder
            : _forwarders.GetOrAdd(owner, o => new Forwarder(o, _forwardClient!.On(o), _ownership!.DepartureOf(o), this, _metrics, _options.ForwardWindow, _options.SilentOwnerAfter, _options.ForwardBatch, _loggers.CreateLogger<Forwarder>()));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _lanes.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        foreach (Forwarder forwarder in _forwarders.Values)
        {
            await forwarder.CloseAsync();
        }

        long held = _lanes.Held;
        await _lanes.StopAsync(DrainTimeout);
        if (_lanes.Held > 0)
        {
            LogNotFinished(_lanes.Held, held);
        }
    }

    public void Dispose() => _lanes.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest stopped with {Left} of {Held} messages not done; their sources were told, and the broker delivers them again")]
    private partial void LogNotFinished(long left, long held);
}
