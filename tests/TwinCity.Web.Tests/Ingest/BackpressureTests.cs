using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TwinCity.Gateway.Ingest.Mqtt;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Twins;
using TwinCity.Testing;
using Xunit.Abstractions;
using static TwinCity.Web.Tests.Ingest.IngestTestKit;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>
/// Twins slower than the network server: ingest takes no more than its in-flight window from the
/// broker, which keeps the backlog, so the silo's memory does not grow with it; and once the twins
/// catch up every uplink is applied exactly once.
/// </summary>
[Collection(BackpressureCollection.Name)]
public sealed class BackpressureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int InFlight = 100;

    // Each uplink carries this much padding, so that a consumer holding the backlog would show in
    // the heap far beyond what the in-flight window can account for.
    private const int PaddingBytes = 16 * 1024;

    private MosquittoBroker _broker = null!;
    private SlowTwinsCity _city = null!;

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        _city = new SlowTwinsCity(_broker.Port);
        using HttpClient http = _city.CreateClient();
        await WaitReadyAsync(http);
    }

    public async Task DisposeAsync()
    {
        await _city.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task Slow_twins_leave_the_backlog_in_the_broker_holding_no_more_than_the_in_flight_window_and_apply_every_uplink_once()
    {
        const int Devices = 10;
        const int PerDevice = 600;
        const int Total = Devices * PerDevice;
        using HttpClient http = _city.CreateClient();
        List<(string DevEui, string Id)> provisioned = await ProvisionManyAsync(http, Devices, "streetlights", "milesight-ws558", "SLP");

        var consumer = _city.Services.GetRequiredService<MqttIngestConsumer>();
        var metrics = _city.Services.GetRequiredService<IngestMetrics>();
        SlowTwins slow = _city.Slow;
        long appliedBefore = metrics.Applied;
        long duplicatesBefore = metrics.Duplicates;
        long receivedBefore = consumer.Received;
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        // Each applied uplink now costs its twin 50 ms: ten devices can take at most about 200 a second.
        // The checks below need the twins far behind when the network server is done, so this rate
        // must stay well under the publishing's: at 200 a second the publishing may take up to some
        // 15 s, on a busy machine too, before the twins could have caught up half of it.
        slow.Delay = TimeSpan.FromMilliseconds(50);
        long sampledPeak = 0;
        using var sampling = new CancellationTokenSource();
        Task sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                sampledPeak = Math.Max(sampledPeak, consumer.Pending);
                await Task.Delay(2, CancellationToken.None);
            }
        });

        string padding = new('x', PaddingBytes);
        int published = 0;
        await Task.WhenAll(provisioned.Select(device => Task.Run(async () =>
        {
            // One connection per device, as many gateways would: each device's uplinks stay in order.
            await using TestPublisher publisher = await TestPublisher.ConnectAsync(_broker.Port);
            for (uint fCnt = 1; fCnt <= PerDevice; fCnt++)
            {
                string json = NetworkServerMessages.ChirpStackUp(device.DevEui, fCnt, 85, decoded: new { on = true, energyWh = fCnt * 10.0 });
                await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(device.DevEui), "{\"padding\":\"" + padding + "\"," + json[1..]);
                Interlocked.Increment(ref published);
            }
        })));

        // Every uplink is with the broker (each publish was acknowledged), and the twins are far behind.
        long appliedWhenPublished = metrics.Applied - appliedBefore;
        long heldByBroker = Total - (consumer.Received - receivedBefore);
        Assert.Equal(Total, published);
        Assert.True(appliedWhenPublished < Total / 2, $"the twins were not behind: {appliedWhenPublished} of {Total} applied when the network server finished");
        Assert.True(heldByBroker > Total / 2, $"the broker held only {heldByBroker} of {Total} when the network server finished");

        // The backlog is in the broker, not in this process: a held backlog would weigh
        // heldByBroker × 16 KB, at least 48 MB; the window allows for a few MB.
        long heapWithBacklog = GC.GetTotalMemory(forceFullCollection: true);
        long stillHeldByBroker = Total - (consumer.Received - receivedBefore);
        long allowance = (InFlight * PaddingBytes * 4L) + (16L << 20);
        Assert.True(stillHeldByBroker * PaddingBytes > 2 * allowance, $"the backlog shrank to {stillHeldByBroker} before the heap was measured");
        Assert.True(heapWithBacklog - heapBefore < allowance,
            $"managed heap grew by {(heapWithBacklog - heapBefore) >> 20} MB with {stillHeldByBroker} uplinks queued in the broker (allowed {allowance >> 20} MB)");

        output.WriteLine($"published {Total}; when done: applied {appliedWhenPublished}, still in the broker {heldByBroker}; heap grew {(heapWithBacklog - heapBefore) / 1048576.0:F1} MB with {stillHeldByBroker} in the broker");

        // Let the twins catch up.
        slow.Delay = TimeSpan.Zero;
        foreach ((_, string id) in provisioned)
        {
            JsonElement twin = await WaitForTwinAsync(http, "streetlights", id, t => t.GetProperty("radio").TryGetProperty("fCnt", out JsonElement f) && f.GetInt32() == PerDevice, seconds: 120);
            // Version 1 came from provisioning; every applied uplink adds exactly one.
            Assert.Equal(1 + PerDevice, twin.GetProperty("version").GetInt64());
            Assert.Equal(PerDevice * 10.0, Reported(twin, "energyWh").GetDouble());
        }

        await sampling.CancelAsync();
        await sampler;
        // Ingest counts an uplink as applied once the twin's call has returned, a moment after the twin
        // shows it: wait for the count to come up to the total before holding it to exactly that.
        await WaitUntilAsync(() => metrics.Applied - appliedBefore >= Total);
        Assert.Equal(Total, metrics.Applied - appliedBefore);
        Assert.Equal(duplicatesBefore, metrics.Duplicates);
        Assert.True(sampledPeak > 0, "the consumer was never seen holding a message");
        Assert.True(sampledPeak <= InFlight, $"the consumer held {sampledPeak} messages at once; the window is {InFlight}");
        Assert.True(consumer.PeakPending <= InFlight, $"the consumer held {consumer.PeakPending} messages at once; the window is {InFlight}");
        // A twin shows its last uplink a moment before ingest has acknowledged it.
        DateTime released = DateTime.UtcNow.AddSeconds(30);
        while (consumer.Pending > 0 && DateTime.UtcNow < released)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, consumer.Pending);
        output.WriteLine($"held at most {consumer.PeakPending} (sampled {sampledPeak}); applied {metrics.Applied - appliedBefore}, duplicates {metrics.Duplicates - duplicatesBefore}");
    }

    private sealed class SlowTwinsCity(int port) : CityAppFactory
    {
        public SlowTwins Slow { get; } = new();

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:ClientId"] = "twincity-pressure-" + Guid.NewGuid().ToString("N")[..8],
            ["Mqtt:InFlight"] = InFlight.ToString(CultureInfo.InvariantCulture),
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<ITwinChangeHook>(Slow));
        }
    }
}
