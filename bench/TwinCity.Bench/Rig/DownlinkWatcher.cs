using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using TwinCity.Gateway.Ingest.Mqtt;

namespace TwinCity.Bench.Rig;

/// <summary>Stands where the network server would: notes when each downlink (by its command id) appeared on the broker.</summary>
public sealed class DownlinkWatcher : IAsyncDisposable
{
    private readonly IMqttClient _client;

    private DownlinkWatcher(IMqttClient client) => _client = client;

    /// <summary>Command id to the time (UTC ticks) its downlink arrived.</summary>
    public ConcurrentDictionary<string, long> Arrived { get; } = new(StringComparer.Ordinal);

    public static async Task<DownlinkWatcher> ConnectAsync(int port, string topicFilter, CancellationToken cancellationToken)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        var watcher = new DownlinkWatcher(client);
        client.ApplicationMessageReceivedAsync += e =>
        {
            long at = DateTime.UtcNow.Ticks;
            try
            {
                var reader = new Utf8JsonReader(e.ApplicationMessage.Payload);
                using JsonDocument doc = JsonDocument.ParseValue(ref reader);
                if (doc.RootElement.TryGetProperty("id", out JsonElement id) && id.GetString() is string commandId)
                {
                    watcher.Arrived.TryAdd(commandId, at);
                }
            }
            catch (JsonException)
            {
                // Not a ChirpStack downlink: not ours to time.
            }

            return Task.CompletedTask;
        };
        await client.ConnectAsync(
            new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", port)
                .WithClientId("bench-downlinks-" + Guid.NewGuid().ToString("N")[..8])
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithCleanStart(true)
                .Build().WithLargeReceiveBuffer(),
            cancellationToken);
        await client.SubscribeAsync(
            new MqttClientFactory().CreateSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic(topicFilter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                .Build(),
            cancellationToken);
        return watcher;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
