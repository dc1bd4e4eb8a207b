using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet.Exceptions;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Testing;
using static TwinCity.Web.Tests.Ingest.IngestTestKit;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>
/// The broker goes away in the middle of a stream and comes back, as a mosquitto restarted by its
/// operator does: ingest reconnects by itself to its persistent session, and every uplink the
/// network server published with QoS 1 is applied exactly once.
/// </summary>
public sealed class BrokerRestartTests : IAsyncLifetime
{
    private MosquittoBroker _broker = null!;
    private CityAppFactory _city = null!;

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync(persistent: true);
        _city = new PersistentBrokerCity(_broker.Port);
        using HttpClient http = _city.CreateClient();
        await WaitReadyAsync(http);
    }

    public async Task DisposeAsync()
    {
        await _city.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task Broker_restarted_mid_stream_loses_nothing_and_applies_nothing_twice()
    {
        const int Devices = 10;
        const int PerDevice = 120;
        using HttpClient http = _city.CreateClient();
        var provisioned = new List<(string DevEui, string Id)>();
        for (int i = 0; i < Devices; i++)
        {
            provisioned.Add(await ProvisionAsync(http, "streetlights", "milesight-ws558", "SLB"));
        }

        var metrics = _city.Services.GetRequiredService<IngestMetrics>();
        long appliedBefore = metrics.Applied;
        int published = 0;
        Task publishing = Task.Run(async () =>
        {
            TestPublisher publisher = await ConnectWithRetryAsync();
            try
            {
                for (uint fCnt = 1; fCnt <= PerDevice; fCnt++)
                {
                    foreach ((string devEui, _) in provisioned)
                    {
                        string json = NetworkServerMessages.ChirpStackUp(devEui, fCnt, 85, decoded: new { on = true, energyWh = fCnt * 10.0 });
                        // A network server keeps an uplink until the broker acknowledged it, so one
                        // sent while the broker was going down is sent again once it is back.
                        while (true)
                        {
                            try
                            {
                                await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui), json);
                                Interlocked.Increment(ref published);
                                break;
                            }
                            catch (Exception ex) when (ex is MqttCommunicationException or InvalidOperationException or OperationCanceledException)
                            {
                                await publisher.DisposeAsync();
                                publisher = await ConnectWithRetryAsync();
                            }
                        }
                    }

                    await Task.Delay(5);
                }
            }
            finally
            {
                await publisher.DisposeAsync();
            }
        });

        await WaitUntilAsync(() => metrics.Applied - appliedBefore >= Devices * PerDevice / 3);
        await _broker.RestartAsync(TimeSpan.FromSeconds(2));
        await publishing;

        foreach ((_, string id) in provisioned)
        {
            JsonElement twin = await WaitForTwinAsync(http, "streetlights", id, t => t.GetProperty("radio").TryGetProperty("fCnt", out JsonElement f) && f.GetInt32() == PerDevice, seconds: 90);
            // Version 1 came from provisioning; every applied uplink adds exactly one.
            Assert.True(1 + PerDevice == twin.GetProperty("version").GetInt64(),
                $"{id}: version {twin.GetProperty("version").GetInt64()}; applied {metrics.Applied - appliedBefore}, duplicates {metrics.Duplicates}, published {published}\n{_broker.Log}");
        }

        Assert.Equal(Devices * PerDevice, published);
        // Ingest counts an uplink as applied once the twin's call has returned, a moment after the twin
        // shows it: wait for the count to come up to the total before holding it to exactly that.
        await WaitUntilAsync(() => metrics.Applied - appliedBefore >= Devices * PerDevice);
        Assert.Equal(Devices * PerDevice, metrics.Applied - appliedBefore);
        Assert.Contains("[started again]", _broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Downlink_for_a_command_issued_while_the_broker_is_down_is_sent_once_it_is_back()
    {
        using HttpClient http = _city.CreateClient();
        using HttpClient electricity = _city.ClientWithKey("dev-azerishig");
        (string devEui, string id) = await ProvisionAsync(http, "streetlights", "milesight-ws558", "SLD");
        await using (TestPublisher network = await TestPublisher.ConnectAsync(_broker.Port))
        {
            await network.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui), NetworkServerMessages.ChirpStackUp(devEui, 1, 85, decoded: new { on = true }));
        }

        await WaitForTwinAsync(http, "streetlights", id, t => HasReported(t, "on"));

        // The network server's subscription outlives the restart (its session persists), so a
        // downlink TwinCity publishes the moment it reconnects waits for it instead of being missed.
        string networkServerId = "network-server-down-" + Guid.NewGuid().ToString("N")[..8];
        await (await TestSubscriber.ConnectAsync(_broker.Port, "application/+/device/+/command/down", networkServerId)).DisposeAsync();
        await _broker.StopAsync();
        HttpResponseMessage issued = await electricity.PostAsJsonAsync($"/api/v1/twins/streetlights/{id}/commands", new { name = "switch", args = new { on = false }, ttlSeconds = 120 });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, issued.StatusCode);
        string commandId = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // While the broker is away the downlink cannot go out: the command waits, it does not fail.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("pending", await StatusAsync(http, id, commandId));

        await _broker.StartAgainAsync();
        await using TestSubscriber networkServer = await TestSubscriber.ConnectAsync(_broker.Port, "application/+/device/+/command/down", networkServerId);
        (string topic, _) = await networkServer.WaitForAsync((_, payload) => System.Text.Encoding.UTF8.GetString(payload).Contains(commandId, StringComparison.Ordinal), seconds: 60);

        Assert.Equal($"application/city/device/{devEui.ToLowerInvariant()}/command/down", topic);
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (await StatusAsync(http, id, commandId) != "sent")
        {
            Assert.True(DateTime.UtcNow < deadline, "the command did not become sent after its downlink went out");
            await Task.Delay(50);
        }
    }

    private static async Task<string?> StatusAsync(HttpClient http, string id, string commandId) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/streetlights/{id}/commands/{commandId}")).GetProperty("status").GetString();

    private async Task<TestPublisher> ConnectWithRetryAsync()
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return await TestPublisher.ConnectAsync(_broker.Port, "network-server-" + _broker.Port.ToString(CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private sealed class PersistentBrokerCity(int port) : CityAppFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:ClientId"] = "twincity-restart-" + Guid.NewGuid().ToString("N")[..8],
            ["Mqtt:MaxReconnectDelay"] = "00:00:01",
        };
    }
}
