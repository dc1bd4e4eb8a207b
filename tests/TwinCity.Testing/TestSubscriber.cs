using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace TwinCity.Testing;

/// <summary>An MQTT client standing in for a network server's side: records what TwinCity publishes (downlinks).</summary>
public sealed class TestSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client;

    private TestSubscriber(IMqttClient client) => _client = client;

    public ConcurrentQueue<(string Topic, byte[] Payload, DateTime At)> Messages { get; } = new();

    /// <summary>
    /// Connects and subscribes. With a <paramref name="sessionClientId"/> the session outlives the
    /// connection (and a broker restart, when the broker persists): what is published while the
    /// subscriber is away waits for it, as it would for a network server.
    /// </summary>
    public static async Task<TestSubscriber> ConnectAsync(int port, string topicFilter, string? sessionClientId = null)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        var subscriber = new TestSubscriber(client);
        client.ApplicationMessageReceivedAsync += e =>
        {
            subscriber.Messages.Enqueue((e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload), DateTime.UtcNow));
            return Task.CompletedTask;
        };
        MqttClientOptions options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(sessionClientId ?? "test-subscriber-" + Guid.NewGuid().ToString("N")[..8])
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(sessionClientId is null)
            .WithSessionExpiryInterval(sessionClientId is null ? 0u : 3600u)
            .Build();

        // MQTTnet's 8 KiB default takes a backlog at a few dozen messages a second.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = 64 * 1024;
        await client.ConnectAsync(options);
        await client.SubscribeAsync(new MqttClientFactory().CreateSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(topicFilter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build());
        return subscriber;
    }

    /// <summary>
    /// Waits for a message that <paramref name="match"/> accepts. The default deadline is generous:
    /// waiting costs nothing when the message comes at once, and a busy machine may take seconds.
    /// </summary>
    public async Task<(string Topic, byte[] Payload)> WaitForAsync(Func<string, byte[], bool> match, int seconds = 30)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            foreach ((string topic, byte[] payload, _) in Messages)
            {
                if (match(topic, payload))
                {
                    return (topic, payload);
                }
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no matching message within {seconds} s; saw {Messages.Count}: {string.Join("; ", Messages.Select(m => m.Topic))}");
    }

    public ValueTask DisposeAsync() => MqttClientClosing.CloseAsync(_client);
}
