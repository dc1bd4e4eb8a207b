using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;
using TwinCity.Gateway.Ingest.Mqtt.Transport;

namespace TwinCity.Ingest.Tests.Mqtt;

/// <summary>An MQTTnet broker listening through <see cref="CoalescingServerAdapter"/>, with MQTTnet's own clients.</summary>
public sealed class CoalescingServerAdapterTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task Every_QoS_1_message_is_acknowledged_and_delivered_in_order(MqttProtocolVersion version)
    {
        const int Count = 3000;
        await using var broker = await Broker.StartAsync();
        var factory = new MqttClientFactory();
        using IMqttClient subscriber = factory.CreateMqttClient();
        var received = new List<int>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            lock (received)
            {
                received.Add(int.Parse(Encoding.ASCII.GetString(e.ApplicationMessage.Payload), System.Globalization.CultureInfo.InvariantCulture));
                if (received.Count == Count)
                {
                    all.TrySetResult();
                }
            }

            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(broker.Options("watcher", version));
        await subscriber.SubscribeAsync("city/#", MqttQualityOfServiceLevel.AtLeastOnce);

        using IMqttClient publisher = factory.CreateMqttClient();
        await publisher.ConnectAsync(broker.Options("network-server", version));

        // Many in flight at once, as a network server publishes: the acknowledgements coalesce.
        var publishes = new List<Task<MqttClientPublishResult>>();
        for (int i = 0; i < Count; i++)
        {
            publishes.Add(publisher.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic("city/uplinks")
                .WithPayload(i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build()));
        }

        MqttClientPublishResult[] results = await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(results, r => Assert.True(r.IsSuccess, r.ReasonString));
        try
        {
            await all.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            lock (received)
            {
                Assert.Fail($"{received.Count} of {Count} messages reached the subscriber");
            }
        }

        Assert.Equal(Enumerable.Range(0, Count), received);

        await publisher.DisconnectAsync();
        await subscriber.DisconnectAsync();
    }

    [Fact]
    public async Task A_client_that_drops_its_connection_does_not_stop_the_listener()
    {
        await using var broker = await Broker.StartAsync();
        using (var raw = new System.Net.Sockets.TcpClient())
        {
            await raw.ConnectAsync(broker.Endpoint);
            await raw.GetStream().WriteAsync(new byte[] { 0x10, 0xFF, 0xFF });
        }

        using IMqttClient client = new MqttClientFactory().CreateMqttClient();
        MqttClientConnectResult connected = await client.ConnectAsync(broker.Options("after-a-bad-one", MqttProtocolVersion.V500));
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        MqttClientPublishResult published = await client.PublishStringAsync("city/ping", "1", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.True(published.IsSuccess);
    }

    [Fact]
    public async Task Stopping_the_broker_closes_its_port()
    {
        var broker = await Broker.StartAsync();
        IPEndPoint endpoint = broker.Endpoint;
        await broker.DisposeAsync();

        using var probe = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync(endpoint));
    }

    private sealed class Broker : IAsyncDisposable
    {
        private readonly MqttServer _server;
        private readonly CoalescingServerAdapter _listener;

        private Broker(MqttServer server, CoalescingServerAdapter listener)
        {
            _server = server;
            _listener = listener;
        }

        public IPEndPoint Endpoint => _listener.LocalEndPoint!;

        public static async Task<Broker> StartAsync()
        {
            // As the embedded broker: a subscriber's queue is not cut at MQTTnet's default of 250
            // messages (which drops the oldest), so that a subscriber slowed by a busy machine still
            // gets every message.
            MqttServerOptions options = new MqttServerOptionsBuilder()
                .WithDefaultEndpoint()
                .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
                .WithDefaultEndpointPort(0)
                .WithMaxPendingMessagesPerClient(1_000_000)
                .Build();
            var listener = new CoalescingServerAdapter(NullLogger<CoalescingServerAdapter>.Instance);
            MqttServer server = new MqttServerFactory().CreateMqttServer(options, [listener]);
            await server.StartAsync();
            return new Broker(server, listener);
        }

        public MqttClientOptions Options(string clientId, MqttProtocolVersion version) => new MqttClientOptionsBuilder()
            .WithTcpServer(Endpoint.Address.ToString(), Endpoint.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(version)
            .Build();

        public async ValueTask DisposeAsync()
        {
            await _server.StopAsync();
            _server.Dispose();
        }
    }
}
