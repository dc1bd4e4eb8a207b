using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
        _server = new MqttServerFactory().CreateMqttServer(serverOptions, [listener]);
        if (handoff is not null)
        {
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The embedded MQTT broker did not stop cleanly ({ExceptionType}: {Reason})")]
    private partial void LogStopFailed(string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on 127.0.0.1:{Port}")]
    private partial void LogStarted(int port);
}
