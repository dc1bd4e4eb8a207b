using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace TwinCity.Testing;

/// <summary>A plain MQTT client that publishes as a network server would: QoS 1, each publish acknowledged by the broker.</summary>
public sealed class TestPublisher : IAsyncDisposable
{
    private readonly IMqttClient _client;

    private TestPublisher(IMqttClient client) => _client = client;

    public static async Task<TestPublisher> ConnectAsync(int port, string? clientId = null, MqttClientTlsOptions? tls = null)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithTlsOptions(tls ?? new MqttClientTlsOptions())
            .WithClientId(clientId ?? "test-publisher-" + Guid.NewGuid().ToString("N")[..8])
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .Build());
        return new TestPublisher(client);
    }

    public async Task PublishAsync(string topic, string json)
    {
        MqttClientPublishResult result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Encoding.UTF8.GetBytes(json))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"publish to {topic} failed: {result.ReasonCode}");
        }
    }

    public ValueTask DisposeAsync() => MqttClientClosing.CloseAsync(_client);
}
