using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using TwinCity.Gateway.Ingest.Mqtt;

namespace TwinCity.Bench.Rig;

/// <summary>
/// The baseline's bare subscriber: QoS 1 with a persistent session and the same receive maximum as
/// ingest, it only counts what arrives (MQTTnet acknowledges each message after the handler returns).
/// </summary>
public sealed class CountingSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private long _count;

    private CountingSubscriber(IMqttClient client) => _client = client;

    public long Count => Interlocked.Read(ref _count);

    public static async Task<CountingSubscriber> ConnectAsync(int port, string topicFilter, int receiveMaximum, CancellationToken cancellationToken)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        var subscriber = new CountingSubscriber(client);
        client.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref subscriber._count);
            return Task.CompletedTask;
        };
        await client.ConnectAsync(
            new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", port)
                .WithClientId("bench-counter-" + Guid.NewGuid().ToString("N")[..8])
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithCleanStart(false)
                .WithSessionExpiryInterval(3600)
                .WithReceiveMaximum((ushort)receiveMaximum)
                .WithTimeout(TimeSpan.FromSeconds(30))
                .Build().WithLargeReceiveBuffer(),
            cancellationToken);
        await client.SubscribeAsync(
            new MqttClientFactory().CreateSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic(topicFilter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                .Build(),
            cancellationToken);
        return subscriber;
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
