using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TwinCity.Gateway.Ingest.DeadLetters;
using TwinCity.Gateway.Ingest.Mqtt;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces.History;
using TwinCity.Grains.Twins;
using TwinCity.Testing;
using TwinCity.Web.Tests.Rules;
using Xunit.Abstractions;
using static TwinCity.Web.Tests.Ingest.IngestTestKit;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>
/// The embedded city hands network-server events from its broker to ingest inside the process
/// (<see cref="BrokerHandoff"/>): slow twins hold the network server back instead of filling memory,
/// a passing fault or a failed record is tried again without losing or reordering a device's frames,
/// and downlinks TwinCity pushes to The Things Stack still reach the network server.
/// </summary>
public sealed class InProcessIngestTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Each lane holds this many messages; small, so that a few slow devices fill their lanes.
    private const int InFlight = 10;

    private readonly FaultyCity _city = new();

    public async Task InitializeAsync()
    {
        using HttpClient http = _city.CreateClient();
        await WaitReadyAsync(http);
    }

    public async Task DisposeAsync() => await _city.DisposeAsync();

    [Fact]
    public async Task Slow_twins_hold_the_network_server_back_and_every_uplink_is_applied_once_in_order()
    {
        const int Devices = 4;
        const int PerDevice = 100;
        const int Total = Devices * PerDevice;
        using HttpClient http = _city.CreateClient();
        List<(string DevEui, string Id)> provisioned = await ProvisionManyAsync(http, Devices, "streetlights", "milesight-ws558", "SLI");

        var handoff = _city.Services.GetRequiredService<BrokerHandoff>();
        var metrics = _city.Services.GetRequiredService<IngestMetrics>();
        long appliedBefore = metrics.Applied;
        long duplicatesBefore = metrics.Duplicates;

        // Each applied uplink costs its twin 10 ms: four devices take at most about 400 a second.
        _city.Slow.Delay = TimeSpan.FromMilliseconds(10);
        long acknowledged = 0;
        long mostAheadOfTwins = 0;
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(_city.MqttPort);
        using var sampling = new CancellationTokenSource();
        Task sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                long applied = metrics.Applied - appliedBefore;
                mostAheadOfTwins = Math.Max(mostAheadOfTwins, Interlocked.Read(ref acknowledged) - applied);
                await Task.Delay(5, CancellationToken.None);
            }
        });

        // Every frame is sent at once; the broker reads them one after another from the connection.
        await Task.WhenAll(Enumerable.Range(1, PerDevice).SelectMany(fCnt => provisioned.Select(async device =>
        {
            string json = NetworkServerMessages.ChirpStackUp(device.DevEui, (uint)fCnt, 85, decoded: new { on = true, energyWh = fCnt * 10.0 });
            await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(device.DevEui), json);
            Interlocked.Increment(ref acknowledged);
        })));

        _city.Slow.Delay = TimeSpan.Zero;
        foreach ((_, string id) in provisioned)
        {
            JsonElement twin = await WaitForTwinAsync(http, "streetlights", id, t => t.GetProperty("radio").TryGetProperty("fCnt", out JsonElement f) && f.GetInt32() == PerDevice, seconds: 60);
            // Version 1 came from provisioning; every uplink, applied in order, adds exactly one.
            Assert.Equal(1 + PerDevice, twin.GetProperty("version").GetInt64());
            Assert.Equal(PerDevice * 10.0, Reported(twin, "energyWh").GetDouble());
        }

        await sampling.CancelAsync();
        await sampler;
        // Ingest counts an uplink as applied once the twin's call has returned, a moment after the twin
        // shows it: wait for the count to come up to the total before holding it to exactly that.
        await RuleApiKit.Eventually(() => Task.FromResult(metrics.Applied - appliedBefore >= Total), "every uplink counted as applied");
        Assert.Equal(Total, metrics.Applied - appliedBefore);
        Assert.Equal(duplicatesBefore, metrics.Duplicates);

        // What the broker acknowledged and the twins had not applied yet was held in the lanes: at most
        // each lane's share, the message being applied in each, and the one the broker was handing over.
        long bound = (Devices * (InFlight + 1)) + 1;
        Assert.True(handoff.PeakPending <= bound, $"ingest held {handoff.PeakPending} messages at once; at most {bound} were allowed");
        Assert.True(mostAheadOfTwins <= bound + 1, $"the broker acknowledged {mostAheadOfTwins} uplinks ahead of the twins; at most {bound} were allowed");
        Assert.True(mostAheadOfTwins >= Devices, $"the twins were never behind ({mostAheadOfTwins}); the test did not slow them");
        await RuleApiKit.Eventually(() => Task.FromResult(handoff.Pending == 0), "ingest's lanes empty");
        Assert.Equal(0, handoff.Pending);
        output.WriteLine($"held at most {handoff.PeakPending}; broker ahead of the twins by at most {mostAheadOfTwins}; applied {Total}");
    }

    [Fact]
    public async Task A_failed_record_or_a_passing_fault_is_tried_again_and_the_device_frames_stay_in_order()
    {
        const int Frames = 6;
        using HttpClient http = _city.CreateClient();
        (string devEui, string id) = await ProvisionAsync(http, "streetlights", "milesight-ws558", "SLF");
        var metrics = _city.Services.GetRequiredService<IngestMetrics>();
        var handoff = _city.Services.GetRequiredService<BrokerHandoff>();
        long duplicatesBefore = metrics.Duplicates;

        // Frame 2's record throws before it is queued (a passing fault in the pipeline); frame 4's
        // record is queued and then fails (the history write failed).
        _city.Journal.ThrowOnce(devEui, 2);
        _city.Journal.FailOnce(devEui, 4);

        await using TestPublisher publisher = await TestPublisher.ConnectAsync(_city.MqttPort);
        for (uint fCnt = 1; fCnt <= Frames; fCnt++)
        {
            await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui), NetworkServerMessages.ChirpStackUp(devEui, fCnt, 85, decoded: new { on = true, energyWh = fCnt * 10.0 }));
        }

        JsonElement twin = await WaitForTwinAsync(http, "streetlights", id, t => t.GetProperty("radio").TryGetProperty("fCnt", out JsonElement f) && f.GetInt32() == Frames);
        Assert.Equal(1 + Frames, twin.GetProperty("version").GetInt64());
        Assert.Equal(Frames * 10.0, Reported(twin, "energyWh").GetDouble());

        // Every frame's record became durable, the two that failed on a later try.
        await RuleApiKit.Eventually(() => Task.FromResult(_city.Journal.Recorded(devEui).Count >= Frames), "every frame's record durable");
        Assert.Equal(Enumerable.Range(1, Frames).Select(f => (uint)f), _city.Journal.Recorded(devEui));
        Assert.Equal(2, _city.Journal.Failures(devEui));

        // The twin had applied both before their records failed: the tries again were duplicates to it.
        Assert.Equal(duplicatesBefore + 2, metrics.Duplicates);
        await RuleApiKit.Eventually(() => Task.FromResult(handoff.Pending == 0), "ingest's lanes empty");
        Assert.Equal(0, handoff.Pending);
    }

    [Fact]
    public async Task A_silo_stopping_applies_every_uplink_its_broker_acknowledged_and_acknowledges_no_more()
    {
        const int Devices = 4;
        const int PerDevice = 200;
        using HttpClient http = _city.CreateClient();
        List<(string DevEui, string Id)> provisioned = await ProvisionManyAsync(http, Devices, "streetlights", "milesight-ws558", "SLQ");

        var ids = provisioned.Select(d => d.Id).ToHashSet();
        _city.Slow.Only = ids;
        _city.Slow.Delay = TimeSpan.FromMilliseconds(10);
        long acknowledged = 0;
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(_city.MqttPort);
        Task publishing = Task.WhenAll(Enumerable.Range(1, PerDevice).SelectMany(fCnt => provisioned.Select(async device =>
        {
            string json = NetworkServerMessages.ChirpStackUp(device.DevEui, (uint)fCnt, 85, decoded: new { on = true, energyWh = fCnt * 10.0 });
            try
            {
                await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(device.DevEui), json);
                Interlocked.Increment(ref acknowledged);
            }
            catch (Exception ex) when (ex is InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                // Not acknowledged: the silo went away first, so the network server still has it.
            }
        })));

        // Stop the silo while the twins are behind and the lanes full.
        DateTime until = DateTime.UtcNow.AddSeconds(20);
        while (Interlocked.Read(ref acknowledged) < 60 && DateTime.UtcNow < until)
        {
            await Task.Delay(10);
        }

        await _city.DisposeAsync();
        await publishing.WaitAsync(TimeSpan.FromSeconds(30));

        long acked = Interlocked.Read(ref acknowledged);
        long applied = _city.Slow.Changes;
        output.WriteLine($"acknowledged {acked} of {Devices * PerDevice} before the stop; applied {applied}");
        Assert.InRange(acked, 60, (Devices * PerDevice) - 1);
        Assert.True(applied >= acked, $"the broker acknowledged {acked} uplinks, but only {applied} reached their twins before the silo stopped");
    }

    [Fact]
    public async Task A_downlink_pushed_to_The_Things_Stack_reaches_the_network_server_and_is_not_taken_for_an_event()
    {
        var deadLetters = _city.Services.GetRequiredService<DeadLetterStore>();
        var handoff = _city.Services.GetRequiredService<BrokerHandoff>();
        long deadBefore = deadLetters.Total;
        long receivedBefore = handoff.Received;
        await using TestSubscriber networkServer = await TestSubscriber.ConnectAsync(_city.MqttPort, "v3/+/devices/+/down/+");
        await using TestPublisher twinCity = await TestPublisher.ConnectAsync(_city.MqttPort);

        const string Push = """{"downlinks":[{"f_port":10,"frm_payload":"AQI=","priority":"NORMAL","correlation_ids":["twincity:cmd-1"]}]}""";
        await twinCity.PublishAsync("v3/city-lights@baku/devices/sl-0001/down/push", Push);

        (string topic, byte[] payload) = await networkServer.WaitForAsync((t, _) => t.EndsWith("/down/push", StringComparison.Ordinal));
        Assert.Equal("v3/city-lights@baku/devices/sl-0001/down/push", topic);
        Assert.Equal(Push, Encoding.UTF8.GetString(payload));
        Assert.Equal(receivedBefore, handoff.Received);
        Assert.Equal(deadBefore, deadLetters.Total);
    }

    [Fact]
    public async Task A_network_server_event_goes_to_ingest_and_is_counted_in_the_stats()
    {
        using HttpClient http = _city.CreateClient();
        (string devEui, string id) = await ProvisionAsync(http, "streetlights", "milesight-ws558", "SLS");
        var handoff = _city.Services.GetRequiredService<BrokerHandoff>();
        long receivedBefore = handoff.Received;
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(_city.MqttPort);

        await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui), NetworkServerMessages.ChirpStackUp(devEui, 1, 85, decoded: new { on = true, dimLevel = 40 }));

        JsonElement twin = await WaitForTwinAsync(http, "streetlights", id, t => HasReported(t, "dimLevel"));
        Assert.Equal(40, Reported(twin, "dimLevel").GetInt32());
        Assert.Equal(receivedBefore + 1, handoff.Received);
        using JsonDocument stats = JsonDocument.Parse(await http.GetStringAsync("/api/v1/ingest/stats"));
        Assert.True(stats.RootElement.GetProperty("received").GetInt64() >= receivedBefore + 1);
    }

    private sealed class FaultyCity : CityAppFactory
    {
        public SlowTwins Slow { get; } = new();

        public FlakyJournal Journal { get; } = new();

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Mqtt:InFlight"] = InFlight.ToString(CultureInfo.InvariantCulture),
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<ITwinChangeHook>(Slow);
                services.AddSingleton<IUplinkJournal>(Journal);
            });
        }
    }

    /// <summary>
    /// A durable journal whose chosen records fail once: by throwing before the record is queued, or
    /// by a write that fails afterwards. It keeps which frame counters became durable, per device.
    /// </summary>
    private sealed class FlakyJournal : IUplinkJournal
    {
        private readonly ConcurrentDictionary<(ulong DevEui, uint FCnt), bool> _throwOnce = new();
        private readonly ConcurrentDictionary<(ulong DevEui, uint FCnt), bool> _failOnce = new();
        private readonly ConcurrentDictionary<ulong, ConcurrentDictionary<uint, bool>> _recorded = new();
        private readonly ConcurrentDictionary<ulong, int> _failures = new();

        public bool IsDurable => true;

        public void ThrowOnce(string devEui, uint fCnt) => _throwOnce[(Parse(devEui), fCnt)] = true;

        public void FailOnce(string devEui, uint fCnt) => _failOnce[(Parse(devEui), fCnt)] = true;

        public IReadOnlyCollection<uint> Recorded(string devEui) =>
            _recorded.TryGetValue(Parse(devEui), out ConcurrentDictionary<uint, bool>? frames) ? [.. frames.Keys.Order()] : [];

        public int Failures(string devEui) => _failures.GetValueOrDefault(Parse(devEui));

        public Task AppendAsync(HistoryRecord record)
        {
            ArgumentNullException.ThrowIfNull(record);
            (ulong, uint) key = (record.DevEui, record.FCnt);
            if (_throwOnce.TryRemove(key, out _))
            {
                _failures.AddOrUpdate(record.DevEui, 1, (_, n) => n + 1);
                throw new InvalidOperationException("the history store is not reachable");
            }

            if (_failOnce.TryRemove(key, out _))
            {
                _failures.AddOrUpdate(record.DevEui, 1, (_, n) => n + 1);
                return Task.Run(() => throw new IOException("the history batch failed"));
            }

            _recorded.GetOrAdd(record.DevEui, _ => new())[record.FCnt] = true;
            return Task.CompletedTask;
        }

        private static ulong Parse(string devEui) => ulong.Parse(devEui, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
