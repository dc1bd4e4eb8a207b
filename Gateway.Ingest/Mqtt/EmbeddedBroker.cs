using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Server;
using TwinCity.Gateway.Ingest.Mqtt.Transport;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// The embedded city's MQTT broker (MQTTnet, in process, on localhost). It exists so that one
/// `dotnet run` gives a whole city; production points <c>Mqtt:Host</c> at the network server's broker.
/// </summary>
/// <remarks>
/// With a <see cref="BrokerHandoff"/> (<c>Mqtt:InProcess</c>, the default) network-server events go
/// straight from the broker to ingest; it is attached before the broker listens, so nothing published
/// from the first moment on passes ingest by. Its connections go through a <see cref="CoalescingServerAdapter"/>,
/// which reads publishers in blocks and sends their acknowledgements together.
/// <para>
/// A client that connects without a client id (mosquitto_sub and mosquitto_pub do unless given -i) is
/// given one, "auto-" and a GUID, as mosquitto does: under MQTT 5 always (§3.1.3.1, returned in the
/// CONNACK), under MQTT 3.1.1 only with a clean session (§3.1.3.1). Without a clean session, or under
/// MQTT 3.1, it is still refused.
/// </para>
/// </remarks>
public sealed partial class EmbeddedBroker(IOptions<MqttOptions> options, ILoggerFactory loggers, BrokerHandoff? handoff = null) : IHostedService, IAsyncDisposable
{
    private readonly ILogger<EmbeddedBroker> _logger = loggers.CreateLogger<EmbeddedBroker>();
    private MqttServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        MqttOptions o = options.Value;
        MqttServerOptions serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(o.Port)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(1_000_000)
            .Build();
        var listener = new CoalescingServerAdapter(loggers.CreateLogger<CoalescingServerAdapter>());
        _server = new MqttServerFactory().CreateMqttServer(serverOptions, [new ClientIdAssigningListener(listener)]);
        _server.ValidatingConnectionAsync += AssignMqtt5ClientIdAsync;
        if (handoff is not null)
        {
            handoff.Watchers.Follow(_server);
            _server.InterceptingPublishAsync += handoff.InterceptAsync;
        }

        await _server.StartAsync();
        LogStarted(o.Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is null)
        {
            return;
        }

        try
        {
            await _server.StopAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or IOException)
        {
            // The process is on its way out: a broker that cannot close every session cleanly must not
            // turn the rest of the shutdown (snapshots, leaving the cluster) into a failure.
            LogStopFailed(ex.GetType().Name, ex.Message);
        }
    }

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string NewClientId() => "auto-" + Guid.NewGuid().ToString("D");

    /// <summary>
    /// MQTTnet takes an MQTT 5 client's missing id from <see cref="ValidatingConnectionEventArgs.AssignedClientIdentifier"/>
    /// and returns it in the CONNACK; left unset, it rejects the client.
    /// </summary>
    private static Task AssignMqtt5ClientIdAsync(ValidatingConnectionEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId) && e.ProtocolVersion == MqttProtocolVersion.V500)
        {
            e.AssignedClientIdentifier = NewClientId();
        }

        return Task.CompletedTask;
    }

    /// <summary>Hands the server each connection wrapped in a <see cref="ClientIdAssigningChannel"/>.</summary>
    private sealed class ClientIdAssigningListener(IMqttServerAdapter inner) : IMqttServerAdapter
    {
        public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

        public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
        {
            inner.ClientHandler = channel => ClientHandler is { } handler ? handler(new ClientIdAssigningChannel(channel)) : Task.CompletedTask;
            return inner.StartAsync(options, logger);
        }

        public Task StopAsync() => inner.StopAsync();

        public void Dispose() => inner.Dispose();
    }

    /// <summary>
    /// Gives an MQTT 3.1.1 clean-session CONNECT without a client id one before the server reads it.
    /// MQTTnet refuses every other empty id after <c>ValidatingConnectionAsync</c>, whose arguments can
    /// name an id for MQTT 5 only and cannot change the CONNECT's. Empty ids this leaves alone stay
    /// refused by MQTTnet: without a clean session its 3.1.1 decoder closes the connection (MQTT-3.1.3-7).
    /// </summary>
    private sealed class ClientIdAssigningChannel(IMqttChannelAdapter inner) : IMqttChannelAdapter
    {
        private bool _connectRead;

        public long BytesReceived => inner.BytesReceived;

        public long BytesSent => inner.BytesSent;

        public X509Certificate2 ClientCertificate => inner.ClientCertificate;

        public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

        public EndPoint LocalEndPoint => inner.LocalEndPoint;

        public bool IsSecureConnection => inner.IsSecureConnection;

        public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

        public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

        public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

        // Only the first packet is looked at; every later one goes straight through.
        public Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) =>
            _connectRead ? inner.ReceivePacketAsync(cancellationToken) : ReceiveConnectAsync(cancellationToken);

        public void ResetStatistics() => inner.ResetStatistics();

        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => inner.SendPacketAsync(packet, cancellationToken);

        public void Dispose() => inner.Dispose();

        private async Task<MqttPacket> ReceiveConnectAsync(CancellationToken cancellationToken)
        {
            MqttPacket packet = await inner.ReceivePacketAsync(cancellationToken);
            _connectRead = true;
            if (packet is MqttConnectPacket { CleanSession: true } connect && string.IsNullOrEmpty(connect.ClientId)
                && inner.PacketFormatterAdapter.ProtocolVersion == MqttProtocolVersion.V311)
            {
                connect.ClientId = NewClientId();
            }

            return packet;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The embedded MQTT broker did not stop cleanly ({ExceptionType}: {Reason})")]
    private partial void LogStopFailed(string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on 127.0.0.1:{Port}")]
    private partial void LogStarted(int port);
}
