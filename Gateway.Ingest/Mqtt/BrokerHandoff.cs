using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Server;
using TwinCity.Gateway.Ingest.Intake;
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
/// The messages go through <see cref="IngestIntake"/>, as those of <see cref="MqttIngestConsumer"/> do:
/// one device's messages keep to one lane, a passing fault is tried again in the lane for as long as
/// the silo runs (nobody else will deliver an acknowledged message again). On the way out the broker
/// takes no more (a publisher's connection is closed without an acknowledgement, so it sends again
/// elsewhere or later) and what was taken is finished first.
/// </para>
/// <para>
/// A network-server event also reaches any other client of the embedded broker whose subscription
/// matches it (<see cref="BrokerWatchers"/>), so a newcomer can watch the uplinks with an MQTT client;
/// with nobody watching, the broker does nothing more with it.
/// </para>
/// </remarks>
public sealed partial class BrokerHandoff : IHostedService, IMqttIntake, IIntakeSource
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private readonly IngestIntake _intake;
    private readonly ILogger<BrokerHandoff> _logger;
    private long _received;
    private long _held;
    private long _peak;
    private long _givenBack;
    private bool _stopping;

    public BrokerHandoff(IngestIntake intake, IngestMetrics metrics, ILogger<BrokerHandoff> logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _intake = intake;
        _logger = logger;
        metrics.ObservePending(() => Pending);
    }

    /// <summary>The clients' subscriptions, so that a watched network-server event is delivered to its watchers too.</summary>
    public BrokerWatchers Watchers { get; } = new();

    public long Received => Interlocked.Read(ref _received);

    public long Pending => Interlocked.Read(ref _held);

    public long PeakPending => Interlocked.Read(ref _peak);

    /// <summary>Always zero: ingest is part of the broker, which runs as long as the silo does.</summary>
    public TimeSpan Disconnected => TimeSpan.Zero;

    /// <summary>An acknowledged message is tried again for as long as the silo runs: nobody will deliver it again.</summary>
    public TimeSpan RetryFor => Timeout.InfiniteTimeSpan;

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
        HighWater.Raise(ref _peak, Interlocked.Increment(ref _held));
        try
        {
            await _intake.SubmitAsync(new IntakeItem(topic, buffer.AsMemory(0, length), buffer, this), e.CancellationToken);
            Interlocked.Increment(ref _received);

            // Ingest has it; the broker delivers it as well only to clients that watch such topics.
            e.ProcessPublish = Watchers.AnyMatch(topic);
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            // The silo is stopping or the publisher went away meanwhile (the intake gave the message
            // back): unacknowledged, so it is sent again.
            e.CloseConnection = true;
        }
    }

    public bool IsCurrent(in IntakeItem item) => true;

    public void Complete(in IntakeItem item, bool applied)
    {
        if (!applied)
        {
            Interlocked.Increment(ref _givenBack);
        }

        Interlocked.Decrement(ref _held);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _stopping, true);

        // What was taken was acknowledged to its publishers: finish it (retries included) before the twins go.
        long deadline = Environment.TickCount64 + (long)DrainTimeout.TotalMilliseconds;
        while (Pending > 0 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20, CancellationToken.None);
        }

        if (Pending > 0)
        {
            LogNotFinished(Pending);
        }

        LogStopped(Received);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest stopped taking uplinks from the embedded broker after {Received} messages")]
    private partial void LogStopped(long received);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest stopped with {Left} acknowledged messages not applied")]
    private partial void LogNotFinished(long left);
}
