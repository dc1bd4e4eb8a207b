using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Tests;

/// <summary>
/// The failover scenario's question to the broker, against the bench's own mosquitto: is there still a
/// session under a client id? Asking must not make one, and must see one that a silo left behind.
/// </summary>
public sealed class BrokerSessionTests
{
    [Fact]
    public async Task Asking_about_a_client_id_never_used_finds_no_session_and_leaves_none()
    {
        await using BenchMosquitto broker = await BenchMosquitto.StartAsync(CancellationToken.None);

        BrokerSessionCheck first = await BrokerSession.CheckAsync(broker.Port, "never-used", CancellationToken.None);
        BrokerSessionCheck second = await BrokerSession.CheckAsync(broker.Port, "never-used", CancellationToken.None);

        Assert.False(first.Present);
        Assert.False(second.Present);
    }

    [Fact]
    public async Task A_session_left_behind_is_found_with_what_it_holds_and_the_check_ends_it()
    {
        await using BenchMosquitto broker = await BenchMosquitto.StartAsync(CancellationToken.None);
        using IMqttClient silo = await ConnectAsync(broker.Port, "left-behind", sessionExpiry: 300);
        await silo.SubscribeAsync(new MqttClientFactory().CreateSubscribeOptionsBuilder().WithTopicFilter("$share/g/held/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await silo.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
        await PublishAsync(broker.Port, "held/1", 3);

        BrokerSessionCheck found = await BrokerSession.CheckAsync(broker.Port, "left-behind", CancellationToken.None);
        BrokerSessionCheck after = await BrokerSession.CheckAsync(broker.Port, "left-behind", CancellationToken.None);

        Assert.True(found.Present);
        Assert.Equal(3, found.MessagesHeld);
        Assert.False(after.Present);
    }

    [Fact]
    public async Task A_session_ended_by_a_clean_start_under_its_id_is_gone()
    {
        await using BenchMosquitto broker = await BenchMosquitto.StartAsync(CancellationToken.None);
        using (IMqttClient silo = await ConnectAsync(broker.Port, "ended", sessionExpiry: 300))
        {
            await silo.SubscribeAsync(new MqttClientFactory().CreateSubscribeOptionsBuilder().WithTopicFilter("$share/g/held/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await silo.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
        }

        // A clean start discards the session; with no expiry the new one ends with the connection.
        using (IMqttClient cleaner = new MqttClientFactory().CreateMqttClient())
        {
            await cleaner.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("ended").WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(true).Build());
            await cleaner.DisconnectAsync();
        }

        Assert.False((await BrokerSession.CheckAsync(broker.Port, "ended", CancellationToken.None)).Present);
    }

    [Theory]
    [InlineData("S10.0.0.5:11111:487654321", "twincity-10.0.0.5-11111-487654321")]
    [InlineData("S127.0.0.1:40163:155287274", "twincity-127.0.0.1-40163-155287274")]
    [InlineData("S[::1]:11111:7", "twincity-::1-11111-7")]
    public void A_silos_client_id_is_named_from_its_address_as_the_platform_names_it(string address, string clientId)
    {
        Assert.Equal(clientId, BrokerSession.ClusterClientId("twincity", address));
    }

    [Fact]
    public void An_address_that_is_no_silos_is_refused()
    {
        Assert.Throws<FormatException>(() => BrokerSession.ClusterClientId("twincity", "not a silo"));
    }

    private static async Task<IMqttClient> ConnectAsync(int port, string clientId, uint sessionExpiry)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(sessionExpiry)
            .Build());
        return client;
    }

    private static async Task PublishAsync(int port, string topic, int count)
    {
        using IMqttClient publisher = await ConnectAsync(port, "publisher-" + Guid.NewGuid().ToString("N")[..8], sessionExpiry: 0);
        for (int i = 0; i < count; i++)
        {
            await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload([(byte)i]).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        await publisher.DisconnectAsync();
    }
}
