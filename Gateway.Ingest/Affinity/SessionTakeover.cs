using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using TwinCity.Gateway.Ingest.Intake;
using TwinCity.Gateway.Ingest.Mqtt;
using TwinCity.Gateway.Ingest.Pipeline;

namespace TwinCity.Gateway.Ingest.Affinity;

/// <summary>
/// When Orleans declares a silo dead, one survivor takes over what the broker holds for the dead
/// silo's session (its queued and unacknowledged messages), applies it, and ends the session, so
/// that its share of the shared subscription goes to the living. Nobody has to start a replacement.
/// </summary>
/// <remarks>
/// <para>
/// The survivor that does it is the owner, on Orleans' consistent ring, of the dead silo's own hash:
/// every silo reads the same membership and the same ring, so exactly one takes it on without any vote
/// of ours. It connects with the dead session's client id and a clean start of 0, which hands it the
/// session (the broker closes the dead or hung silo's connection if it still has one); it leaves the
/// shared subscription at once, so that nothing new is queued there; it applies what comes, through the
/// same intake as its own messages, acknowledging each once durable; and when the session has been
/// quiet for a moment it disconnects with a session expiry of 0, which ends it.
/// </para>
/// <para>
/// A session that no longer exists (taken over already, or the silo left gracefully and its session was
/// drained by someone else) is found absent at connect (the broker's session-present flag) and merely
/// closed again: trying twice costs nothing and is not counted.
/// </para>
/// </remarks>
public sealed partial class SessionTakeover(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IngestForwardClient ring,
    IngestIntake intake,
    IngestMetrics metrics,
    IOptions<MqttOptions> options,
    ILogger<SessionTakeover> logger) : BackgroundService
{
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxDrain = TimeSpan.FromMinutes(5);

    private readonly HashSet<SiloAddress> _done = [];
    private readonly MqttOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Subscribe)
        {
            return;
        }

        // Woken by each membership change, so that a silo declared dead is taken over at once; and every
        // few seconds anyway, for a ring that had not settled when the change came.
        using var changed = new SemaphoreSlim(0);
        Task watching = WatchMembershipAsync(changed, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TakeOverDeadSessionsAsync(stoppingToken);
                await changed.WaitAsync(Recheck, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogTakeoverFailed(ex, ex.Message);
                await Task.Delay(Recheck, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        await watching;
    }

    private async Task WatchMembershipAsync(SemaphoreSlim changed, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (ClusterMembershipSnapshot _ in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                if (changed.CurrentCount == 0)
                {
                    changed.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task TakeOverDeadSessionsAsync(CancellationToken cancellationToken)
    {
        ClusterMembershipSnapshot snapshot = membership.CurrentSnapshot;
        SiloAddress self = localSilo.SiloAddress;
        if (snapshot.GetSiloStatus(self) != SiloStatus.Active)
        {
            return;
        }

        foreach (ClusterMember member in snapshot.Members.Values)
        {
            SiloAddress dead = member.SiloAddress;
            if (member.Status != SiloStatus.Dead || dead.Equals(self) || _done.Contains(dead))
            {
                continue;
            }

            SiloAddress? taker = ring.OwnerOf((uint)dead.GetConsistentHashCode());
            if (taker is null || snapshot.GetSiloStatus(taker) != SiloStatus.Active)
            {
                // The ring still names a silo that is not active: ask again once it has settled.
                continue;
            }

            if (taker.Equals(self))
            {
                await TakeOverAsync(dead, cancellationToken);
                _done.Add(dead);
            }
        }
    }

    private async Task TakeOverAsync(SiloAddress dead, CancellationToken cancellationToken)
    {
        string group = _options.SharedGroup ?? "twincity";
        string clientId = SiloSession.ClientIdOf(group, dead);
        var session = new DeadSession();
        using IMqttClient client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e => OnMessageAsync(e, session);
        MqttClientConnectResult connected = await client.ConnectAsync(Options(clientId, cleanStart: false, (uint)MaxDrain.TotalSeconds), cancellationToken);
        if (!connected.IsSessionPresent)
        {
            await EndSessionAsync(client, clientId);
            LogNoSession(dead.ToString(), clientId);
            return;
        }

        metrics.TookOver();
        LogTakingOver(dead.ToString(), clientId);

        // Out of the shared group first, so that the broker queues nothing more for this session.
        MqttClientUnsubscribeOptionsBuilder unsubscribe = new MqttClientFactory().CreateUnsubscribeOptionsBuilder();
        foreach (string topic in IngestTopics.All)
        {
            unsubscribe = unsubscribe.WithTopicFilter($"$share/{group}/{topic}");
        }

        await client.UnsubscribeAsync(unsubscribe.Build(), cancellationToken);

        long until = Environment.TickCount64 + (long)MaxDrain.TotalMilliseconds;
        while (client.IsConnected && Environment.TickCount64 < until && !cancellationToken.IsCancellationRequested)
        {
            if (session.Held == 0 && Environment.TickCount64 - session.LastReceived >= Quiet.TotalMilliseconds)
            {
                break;
            }

            await Task.Delay(100, CancellationToken.None);
        }

        await EndSessionAsync(client, clientId);
        LogTookOver(dead.ToString(), session.Received, session.Applied);
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e, DeadSession session)
    {
        e.AutoAcknowledge = false;
        MqttApplicationMessage message = e.ApplicationMessage;
        byte[] buffer = PayloadBuffers.Copy(message.Payload, out int length);
        session.Took();
        try
        {
            await intake.SubmitAsync(new IntakeItem(message.Topic, buffer.AsMemory(0, length), buffer, session, e));
        }
        catch (Exception ex) when (ex is System.Threading.Channels.ChannelClosedException or OperationCanceledException)
        {
            // Stopping: left unacknowledged in the dead session, which ends with its expiry.
        }
    }

    /// <summary>Options for a connection under <paramref name="clientId"/>; an expiry of 0 ends the session when the connection closes.</summary>
    private MqttClientOptions Options(string clientId, bool cleanStart, uint sessionExpiry)
    {
        MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.BrokerHost, _options.Port)
            .WithBrokerTls(_options)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(cleanStart)
            .WithSessionExpiryInterval(sessionExpiry)
            .WithReceiveMaximum((ushort)_options.InFlight)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (!string.IsNullOrEmpty(_options.Username))
        {
            builder = builder.WithCredentials(_options.Username, _options.Password);
        }

        return builder.Build();
    }

    /// <summary>
    /// Ends the session at the broker. MQTTnet leaves a session expiry of 0 out of DISCONNECT (0 is the
    /// property's default when absent), so the broker would keep the session for the expiry given at
    /// CONNECT, and a survivor would take it over again at the next membership change. A connection
    /// under the same id with a clean start discards the session, and with an expiry of 0 its own
    /// session ends as it closes.
    /// </summary>
    private async Task EndSessionAsync(IMqttClient client, string clientId)
    {
        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(0).Build());
            }

            using IMqttClient ender = new MqttClientFactory().CreateMqttClient();
            await ender.ConnectAsync(Options(clientId, cleanStart: true, sessionExpiry: 0));
            await ender.DisconnectAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The broker is away: the session expires by itself after the drain's expiry.
            LogEndFailed(clientId, ex.Message);
        }
    }

    /// <summary>The messages of one dead session on their way through the intake.</summary>
    private sealed class DeadSession : IIntakeSource
    {
        private long _held;
        private long _received;
        private long _applied;
        private long _lastReceived = Environment.TickCount64;

        public long Held => Interlocked.Read(ref _held);

        public long Received => Interlocked.Read(ref _received);

        public long Applied => Interlocked.Read(ref _applied);

        public long LastReceived => Interlocked.Read(ref _lastReceived);

        public TimeSpan RetryFor => Timeout.InfiniteTimeSpan;

        public void Took()
        {
            Interlocked.Increment(ref _held);
            Interlocked.Increment(ref _received);
            Interlocked.Exchange(ref _lastReceived, Environment.TickCount64);
        }

        public bool IsCurrent(in IntakeItem item) => true;

        public void Complete(in IntakeItem item, bool applied)
        {
            if (applied)
            {
                Interlocked.Increment(ref _applied);
                _ = ((MqttApplicationMessageReceivedEventArgs)item.State!).AcknowledgeAsync(CancellationToken.None)
                    .ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            Interlocked.Decrement(ref _held);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not end the broker session {ClientId} after taking it over; it expires by itself: {Reason}")]
    private partial void LogEndFailed(string clientId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Dead} is dead: taking over its broker session {ClientId}")]
    private partial void LogTakingOver(string dead, string clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker session of dead silo {Dead} is taken over and ended: {Received} messages received, {Applied} applied")]
    private partial void LogTookOver(string dead, long received, long applied);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead silo {Dead} has no broker session {ClientId} left")]
    private partial void LogNoSession(string dead, string clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Taking over dead silos' broker sessions failed ({Reason}); trying again shortly")]
    private partial void LogTakeoverFailed(Exception exception, string reason);
}
