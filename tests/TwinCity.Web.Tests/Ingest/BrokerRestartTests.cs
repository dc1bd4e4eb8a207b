using System.Globalization;
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
        Assert.Equal(Devices * PerDevice, metrics.Applied - appliedBefore);
        Assert.Contains("[started again]", _broker.Log, StringComparison.Ordinal);
    }

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

    private static async Task WaitUntilAsync(Func<bool> condition, int seconds = 60)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {seconds} s");
            await Task.Delay(20);
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
