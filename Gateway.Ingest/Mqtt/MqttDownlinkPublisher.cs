using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Commands;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// Publishes downlinks to the network server's broker with QoS 1. Its own connection, so that a
/// slow ingest never delays a command; when the broker is away it answers why, and the twin tries
/// again with back-off until the command's TTL.
/// </summary>
public sealed partial class MqttDownlinkPublisher(
    CodecRegistry codecs,
    IOptions<MqttOptions> mqtt,
    IOptions<DownlinkOptions> options,
    ILogger<MqttDownlinkPublisher> logger) : BackgroundService, IDownlinkPublisher
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IMqttClient? _client;

    public async Task<string?> PublishAsync(DownlinkRequest request, CancellationToken cancellationToken)
    {
        if (!DownlinkMessages.TryBuild(request, codecs, options.Value, out string topic, out byte[] payload, out string? problem))
        {
            return problem;
        }

        IMqttClient? client = await EnsureConnectedAsync(cancellationToken);
        if (client is null)
        {
            return $"not connected to the MQTT broker {mqtt.Value.BrokerEndpoint}";
        }

        try
        {
            MqttClientPublishResult result = await client.PublishAsync(
                new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                cancellationToken);
            if (!result.IsSuccess)
            {
                return $"the broker refused the downlink: {result.ReasonCode}";
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return "publishing failed: " + ex.Message;
        }

        LogPublished(request.CommandId, topic);
        return null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Connect early so the first command does not wait for the handshake; reconnects happen on demand.
        while (!stoppingToken.IsCancellationRequested && await EnsureConnectedAsync(stoppingToken) is null)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task<IMqttClient?> EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (_client is { IsConnected: true } connected)
        {
            return connected;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_client is { IsConnected: true } again)
            {
                return again;
            }

            _client?.Dispose();
            MqttOptions o = mqtt.Value;
            IMqttClient client = new MqttClientFactory().CreateMqttClient();
            MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
                .WithTcpServer(o.BrokerHost, o.Port)
                .WithBrokerTls(o)
                .WithClientId((o.ClientId ?? $"twincity-{Environment.MachineName}") + "-downlinks")
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithCleanStart(true)
                .WithTimeout(TimeSpan.FromSeconds(5));
            if (!string.IsNullOrEmpty(o.Username))
            {
                builder = builder.WithCredentials(o.Username, o.Password);
            }

            await client.ConnectAsync(builder.Build(), cancellationToken);
            _client = client;
            return client;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogConnectFailed(ex.Message);
            return null;
        }
        finally
        {
            _connecting.Release();
        }
    }

    public override void Dispose()
    {
        _client?.Dispose();
        _connecting.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Downlink of command {CommandId} published on {Topic}")]
    private partial void LogPublished(string commandId, string topic);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Downlink publisher cannot reach the broker: {Reason}")]
    private partial void LogConnectFailed(string reason);
}
