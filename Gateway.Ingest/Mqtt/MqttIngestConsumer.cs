using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using TwinCity.Gateway.Ingest.Intake;
using TwinCity.Gateway.Ingest.Pipeline;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// Takes uplinks from the broker: QoS 1, a persistent session under a fixed client id, and each
/// message acknowledged only after its twin has accepted it (or it was dead-lettered), so a crash
/// or a restart makes the broker deliver again what was not yet applied.
/// </summary>
/// <remarks>
/// Messages go through <see cref="IngestIntake"/>: to the silo that owns their device, and there into
/// lanes keyed by device, so that one device's uplinks are applied in the order the broker sent them
/// while different devices proceed in parallel. At most <see cref="MqttOptions.InFlight"/> messages are held in memory: the
/// broker is asked for that through the MQTT 5 receive maximum, and the consumer keeps to it itself
/// (<see cref="InFlightWindow"/>) by not reading the connection while the window is full, so when
/// twins are slow the broker keeps the rest. Acknowledgements go out in the order the messages came,
/// as far as that holds nothing up (<see cref="OrderedAcks"/>), which spares the broker a walk of
/// its list of messages in flight for each one.
/// </remarks>
public sealed partial class MqttIngestConsumer : BackgroundService, IMqttIntake, IIntakeSource
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private readonly IngestIntake _intake;
    private readonly Affinity.SiloSession? _session;
    private readonly MqttOptions _options;
    private readonly ILogger<MqttIngestConsumer> _logger;
    private readonly SemaphoreSlim _reconnect = new(0);
    private IMqttClient? _client;
    private int _generation;
    private long _received;
    private readonly InFlightWindow _window;
    private WindowConnection? _connection;
    private bool _stopping;
    private long _lastReceivedTicks;
    private long _lastConnectedTicks;
    private long _waiting;

    // Where a message stands against the window (OrderedAcks.Delivery.Window).
    private const int WindowIn = 0;
    private const int WindowBeside = 1;
    private const int WindowDone = 2;

    public MqttIngestConsumer(IngestIntake intake, IngestMetrics metrics, IOptions<MqttOptions> options, ILogger<MqttIngestConsumer> logger, Affinity.SiloSession? session = null)
    {
        _session = session;
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(options);
        _intake = intake;
        _options = options.Value;
        _logger = logger;
        _window = new InFlightWindow(_options.InFlight);
        metrics.ObservePending(() => Pending);
    }

    /// <summary>Raised once connected and subscribed (the readiness probe listens).</summary>
    public event Action? Connected;

    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>How long ingest has been without a broker connection: zero while connected, and very long before the first one.</summary>
    public TimeSpan Disconnected => IsConnected ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastConnectedTicks));

    public long Received => Interlocked.Read(ref _received);

    /// <summary>
    /// Messages read from the broker and held here, not yet acknowledged nor let go. Never more than
    /// <see cref="MqttOptions.InFlight"/> in the window, however far behind the twins are: while the
    /// window is full the consumer does not read the connection, and the rest waits in the broker. In a
    /// cluster, up to <see cref="MqttOptions.WaitingForSilentSilos"/> more wait beside it for a silo
    /// that does not answer.
    /// </summary>
    public long Pending => _window.Held + Interlocked.Read(ref _waiting);

    /// <summary>The most messages the window has held at once since the consumer started (those waiting beside it not counted).</summary>
    public long PeakPending => _window.Peak;

    /// <summary>The broker session: in a cluster named after the silo (<see cref="Affinity.SiloSession"/>), else <see cref="MqttOptions.ClientId"/>.</summary>
    public string ClientId => _session?.ClientId ?? _options.ClientId ?? $"twincity-{Environment.MachineName}";

    /// <summary>
    /// A message is tried again in its lane while its connection lasts; once the connection is gone
    /// the broker delivers it again on the next one.
    /// </summary>
    public TimeSpan RetryFor => Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Drops the connection at once without acknowledging what is in flight, as a crash would; the
    /// consumer then reconnects and the broker delivers the unacknowledged messages again.
    /// </summary>
    public async Task AbandonConnectionAsync()
    {
        Interlocked.Increment(ref _generation);
        IMqttClient? client = _client;
        if (client is not null)
        {
            client.Dispose();
        }

        _connection?.Close();

        _reconnect.Release();
        await Task.Yield();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        TimeSpan delay = TimeSpan.FromMilliseconds(250);
        IMqttClient? client = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_session is not null && await _session.DeclaredDeadAsync(stoppingToken))
            {
                LogDeclaredDead(ClientId);
                break;
            }

            int generation = Volatile.Read(ref _generation);
            client = CreateClient(generation);
            try
            {
                await ConnectAsync(client, stoppingToken);
                delay = TimeSpan.FromMilliseconds(250);
                Connected?.Invoke();
                LogConnected(_options.BrokerHost, _options.Port, ClientId);

                // Wait until the connection drops or a passing fault on it asks for redelivery. A
                // request left over from an earlier connection is no reason to drop this one: that
                // connection's messages come again on this one anyway.
                while (client.IsConnected && !stoppingToken.IsCancellationRequested)
                {
                    Interlocked.Exchange(ref _lastConnectedTicks, Environment.TickCount64);
                    if (await _reconnect.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken) && Volatile.Read(ref _generation) != generation)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogConnectFailed(ex, _options.BrokerHost, _options.Port, delay.TotalSeconds);
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            Interlocked.Increment(ref _generation);
            await CloseAsync(client);
            _connection?.Close();
            client = null;
            await Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }

        // Shutting down: take no more, finish what is in the lanes, acknowledge what became durable, then leave.
        // Unsubscribing first takes this silo out of the shared group, so the broker sends the rest of
        // the uplinks to the other silos instead of queueing them for a session that is going away.
        await LeaveSubscriptionsAsync(client);

        // The broker still sends what it had queued for this session before the unsubscribe; take
        // that too, until the connection has been quiet for a moment.
        long quietSince = Environment.TickCount64;
        long drainUntil = quietSince + 5_000;
        while (client is { IsConnected: true } && Environment.TickCount64 < drainUntil)
        {
            long last = Math.Max(quietSince, Interlocked.Read(ref _lastReceivedTicks));
            if (Environment.TickCount64 - last >= 300)
            {
                break;
            }

            await Task.Delay(50, CancellationToken.None);
        }

        Volatile.Write(ref _stopping, true);

        // What was taken is finished through the intake, which stops after this: each message is
        // acknowledged once its record is durable.
        long deadline = Environment.TickCount64 + (long)DrainTimeout.TotalMilliseconds;
        while (Pending > 0 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20, CancellationToken.None);
        }

        if (client is not null)
        {
            await CloseAsync(client);
        }

        LogStopped(Received);
    }

    private IMqttClient CreateClient(int generation)
    {
        // Every message is tagged with the generation of the connection it came on, fixed when the
        // connection is made: a message the old client still hands over after it was abandoned must
        // not pass for one of the new connection, or it would be applied ahead of a redelivered
        // earlier frame of the same device, which the twin would then drop as old.
        WindowConnection connection = _window.Open();
        var acks = new OrderedAcks(AcksHeldAtMost(_options.InFlight), message => Acknowledge((MqttApplicationMessageReceivedEventArgs)message, generation));
        IMqttClient client = new MqttClientFactory().CreateMqttClient(new WindowedAdapterFactory(connection));
        client.ApplicationMessageReceivedAsync += e => OnMessageAsync(e, generation, connection, acks);
        _connection = connection;
        _client = client;
        return client;
    }

    private async Task ConnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.BrokerHost, _options.Port)
            .WithBrokerTls(_options)
            .WithClientId(ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpirySeconds)
            .WithReceiveMaximum(_options.ReceiveMaximum)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (!string.IsNullOrEmpty(_options.Username))
        {
            builder = builder.WithCredentials(_options.Username, _options.Password);
        }

        await client.ConnectAsync(builder.Build().WithLargeReceiveBuffer(), cancellationToken);
        if (!_options.Subscribe)
        {
            return;
        }

        MqttClientSubscribeOptionsBuilder subscribe = new MqttClientFactory().CreateSubscribeOptionsBuilder();
        foreach (string topic in IngestTopics.All)
        {
            string filter = FilterOf(topic);
            subscribe = subscribe.WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
        }

        await client.SubscribeAsync(subscribe.Build(), cancellationToken);
    }

    /// <summary>
    /// How many finished messages may wait for their acknowledgement behind an older one still being
    /// applied (<see cref="OrderedAcks"/>): an eighth of the window.
    /// </summary>
    internal static int AcksHeldAtMost(int inFlight) => Math.Max(16, inFlight / 8);

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e, int generation, WindowConnection connection, OrderedAcks acks)
    {
        e.AutoAcknowledge = false;
        if (!connection.HandOver())
        {
            // The connection closed under it: never acknowledged, the broker delivers it again.
            return;
        }

        if (Volatile.Read(ref _stopping))
        {
            // Left unacknowledged: the broker keeps it in this silo's session.
            Released();
            return;
        }

        Interlocked.Increment(ref _received);
        Interlocked.Exchange(ref _lastReceivedTicks, Environment.TickCount64);
        MqttApplicationMessage message = e.ApplicationMessage;
        byte[] buffer = PayloadBuffers.Copy(message.Payload, out int length);
        try
        {
            await _intake.SubmitAsync(new IntakeItem(message.Topic, buffer.AsMemory(0, length), buffer, this, acks.Add(e), generation));
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            // Stopping meanwhile: given back unacknowledged, the broker keeps it in this silo's session.
        }
    }

    public bool IsCurrent(in IntakeItem item) => item.Tag == Volatile.Read(ref _generation);

    public void Complete(in IntakeItem item, bool applied)
    {
        // Acknowledged in the order the messages came, once the older ones are done too (OrderedAcks).
        var delivery = (OrderedAcks.Delivery)item.State!;
        delivery.Finish(applied);
        if (!applied && !Volatile.Read(ref _stopping))
        {
            // Given back while the connection lasts: the broker only delivers it again on a new one.
            RequestRedelivery(item.Tag);
        }

        if (Interlocked.Exchange(ref delivery.Window, WindowDone) == WindowBeside)
        {
            Interlocked.Decrement(ref _waiting);
        }
        else
        {
            Released();
        }
    }

    public void Waiting(in IntakeItem item)
    {
        var delivery = (OrderedAcks.Delivery)item.State!;
        if (Volatile.Read(ref delivery.Window) != WindowIn)
        {
            return;
        }

        if (Interlocked.Increment(ref _waiting) > _options.WaitingForSilentSilos)
        {
            // As many wait as may: this one keeps its place in the window.
            Interlocked.Decrement(ref _waiting);
            return;
        }

        if (Interlocked.CompareExchange(ref delivery.Window, WindowBeside, WindowIn) == WindowIn)
        {
            Released();
        }
        else
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>A message was acknowledged or let go: its place in the window is free.</summary>
    private void Released() => _window.Release();

    /// <summary>
    /// Has the broker deliver again what is not yet acknowledged. The generation moves on at once, so
    /// the lanes skip the rest of this connection's messages instead of applying a device's later
    /// frames ahead of the one that failed (which the twin would then drop as old). One reconnection
    /// per connection is enough however many of its messages failed (a failed history batch fails
    /// hundreds at once), and a failure of a connection already left changes nothing.
    /// </summary>
    private void RequestRedelivery(int generation)
    {
        if (Interlocked.CompareExchange(ref _generation, generation + 1, generation) == generation)
        {
            _reconnect.Release();
        }
    }

    private void Acknowledge(MqttApplicationMessageReceivedEventArgs args, int generation)
    {
        if (generation != Volatile.Read(ref _generation))
        {
            return;
        }

        string topic = args.ApplicationMessage.Topic;

        Task ack;
        try
        {
            ack = args.AcknowledgeAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogAckFailed(topic, ex.Message);
            return;
        }

        // An acknowledgement is normally queued on the connection at once; only one that is not
        // needs the bounded wait below (and its timer).
        if (!ack.IsCompletedSuccessfully)
        {
            _ = AwaitAcknowledgementAsync(ack, topic);
        }
    }

    private async Task AwaitAcknowledgementAsync(Task ack, string topic)
    {
        // Bounded: an acknowledgement on a connection torn down meanwhile may never complete, and a
        // lane waiting on it would hold up every device hashed to it.
        try
        {
            await ack.WaitAsync(AckTimeout);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection went away meanwhile; the broker will deliver the message again.
            LogAckFailed(topic, ex is TimeoutException ? "not sent in time" : ex.Message);
            _ = ack.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task LeaveSubscriptionsAsync(IMqttClient? client)
    {
        if (client is not { IsConnected: true } || !_options.Subscribe)
        {
            return;
        }

        try
        {
            MqttClientUnsubscribeOptionsBuilder unsubscribe = new MqttClientFactory().CreateUnsubscribeOptionsBuilder();
            foreach (string topic in IngestTopics.All)
            {
                unsubscribe = unsubscribe.WithTopicFilter(FilterOf(topic));
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.UnsubscribeAsync(unsubscribe.Build(), timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection is going anyway; the session keeps whatever the broker still sends it.
            LogUnsubscribeFailed(ex.Message);
        }
    }

    private string FilterOf(string topic) =>
        string.IsNullOrEmpty(_options.SharedGroup) ? topic : $"$share/{_options.SharedGroup}/{topic}";

    private static async Task CloseAsync(IMqttClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Closing a connection that already broke.
        }

        client.Dispose();
    }

    public override void Dispose()
    {
        _client?.Dispose();
        _reconnect.Dispose();
        _window.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The cluster declared this silo dead; ingest does not open its broker session {ClientId} again (a survivor took its share over)")]
    private partial void LogDeclaredDead(string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest stopped taking uplinks after {Received} messages; in-flight ones were finished and acknowledged")]
    private partial void LogStopped(long received);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest connected to MQTT broker {Host}:{Port} as {ClientId}")]
    private partial void LogConnected(string host, int port, string clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest cannot reach MQTT broker {Host}:{Port}; trying again in {Seconds:F1} s")]
    private partial void LogConnectFailed(Exception exception, string host, int port, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest could not leave its subscriptions on the way out: {Reason}")]
    private partial void LogUnsubscribeFailed(string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Acknowledgement of a message from {Topic} not sent: {Reason}")]
    private partial void LogAckFailed(string topic, string reason);
}
