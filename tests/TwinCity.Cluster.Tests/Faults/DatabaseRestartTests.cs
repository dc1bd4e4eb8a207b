using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TwinCity.Cluster.Tests.Silos;
using TwinCity.Testing;
using Xunit.Abstractions;

namespace TwinCity.Cluster.Tests.Faults;

/// <summary>
/// PostgreSQL is restarted (<c>pg_ctl stop -m fast</c>, a few seconds away, started again on the same
/// data) while a network server publishes QoS 1 uplinks to a cluster silo. The silo runs on a server
/// of its own, so the other tests of the collection never see the outage.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class DatabaseRestartTests(ITestOutputHelper output)
{
    private const int Devices = 20;
    private static readonly TimeSpan RoundPause = TimeSpan.FromMilliseconds(200);

    /// <summary>Short, but long enough for several history batches to fail and for readiness to be polled.</summary>
    private static readonly TimeSpan MinimumOutage = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task Database_restart_under_load_keeps_twins_readable_and_loses_or_doubles_no_uplink()
    {
        await using PostgresServer database = await PostgresServer.StartAsync();
        await using SiloCluster cluster = await SiloCluster.CreateAsync(database, "dbrestart", TimeSpan.FromSeconds(2));
        CityProcess silo = await cluster.StartSiloAsync("silo-db");
        await SiloCluster.WaitReadyAsync(silo);
        using HttpClient http = SiloCluster.Client(silo);
        (HttpStatusCode readyBefore, JsonElement healthBefore) = await HealthAsync(http);
        Assert.Equal(HttpStatusCode.OK, readyBefore);
        Assert.Equal("Healthy", healthBefore.GetProperty("status").GetString());
        Assert.Contains("PostgreSQL", PostgresEntry(healthBefore), StringComparison.Ordinal);

        // Every twin is active before the outage (a twin that is not cannot be read from a database that is away).
        CityFleet fleet = await CityFleet.ProvisionAsync(http, Devices, "SLD");
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port);
        await fleet.PublishRoundsAsync(publisher, 1, 1, TimeSpan.Zero);
        await SiloCluster.UntilAsync(
            async () => await CountAtAsync(http, fleet, 1) == Devices,
            TimeSpan.FromSeconds(60),
            async () => $"{await CountAtAsync(http, fleet, 1)} of {Devices} twins applied the first uplink");
        Dictionary<string, long> versionAtFirst = [];
        foreach ((_, string id) in fleet.Devices)
        {
            versionAtFirst[id] = (await TwinAsync(http, id)).GetProperty("version").GetInt64();
        }

        // The network server publishes round after round, whatever the database does, until told to finish.
        await using var stream = new UplinkStream(fleet, publisher);
        Task<int> publishing = stream.RunAsync(firstRound: 2);
        await SiloCluster.UntilAsync(() => Task.FromResult(stream.LastRound >= 6), TimeSpan.FromSeconds(60), () => Task.FromResult($"published up to round {stream.LastRound}"));

        int roundAtStop;
        int publishedInOutage;
        TimeSpan outage;
        string degradedHealth;
        HttpStatusCode degradedStatus;
        uint newestInOutage;
        try
        {
            await database.StopAsync();
            var clock = Stopwatch.StartNew();
            roundAtStop = stream.LastRound;
            int publishedAtStop = stream.Published;

            // Readiness reports the database, and names it; the silo stays ready (200, "Degraded"), since
            // it still serves its twins and takes uplinks.
            (HttpStatusCode, JsonElement) degraded = default;
            await SiloCluster.UntilAsync(
                async () =>
                {
                    degraded = await HealthAsync(http);
                    return PostgresEntry(degraded.Item2).Contains("does not answer", StringComparison.Ordinal);
                },
                TimeSpan.FromSeconds(30),
                () => Task.FromResult(degraded.Item2.ValueKind == JsonValueKind.Undefined ? "no answer" : degraded.Item2.GetRawText()));
            (degradedStatus, JsonElement degradedBody) = degraded;
            degradedHealth = degradedBody.GetRawText();
            Assert.True(degradedStatus == HttpStatusCode.OK && degradedBody.GetProperty("status").GetString() == "Degraded", $"readiness answered {(int)degradedStatus} {degradedHealth}");
            var notReady = new List<string>();

            // Every twin answers from memory, and ingest keeps applying uplinks published after the stop.
            uint newest = 0;
            await SiloCluster.UntilAsync(
                async () =>
                {
                    (HttpStatusCode status, JsonElement health) = await HealthAsync(http);
                    if (status != HttpStatusCode.OK || health.GetProperty("status").GetString() != "Degraded")
                    {
                        notReady.Add($"{(int)status} {health.GetRawText()}");
                    }

                    newest = 0;
                    foreach ((_, string id) in fleet.Devices)
                    {
                        newest = Math.Max(newest, await SiloCluster.TwinFCntAsync(http, id) ?? 0);
                    }

                    return newest > roundAtStop && stream.Published - publishedAtStop >= Devices * 3 && clock.Elapsed >= MinimumOutage;
                },
                TimeSpan.FromSeconds(40),
                () => Task.FromResult($"newest frame in a twin {newest}, round at the stop {roundAtStop}, published since {stream.Published - publishedAtStop}"));
            newestInOutage = newest;
            Assert.True(notReady.Count == 0, "readiness did not stay 200 Degraded while the database was away: " + string.Join("; ", notReady));
            Assert.False(silo.HasExited, "the silo exited while the database was away:\n" + silo.LogTail());
            publishedInOutage = stream.Published - publishedAtStop;
            outage = clock.Elapsed;
        }
        finally
        {
            await database.StartAgainAsync();
        }

        var sinceRestart = Stopwatch.StartNew();

        // A few more rounds on the database that is back, then the network server is done.
        int roundAtStart = stream.LastRound;
        await SiloCluster.UntilAsync(() => Task.FromResult(stream.LastRound >= roundAtStart + 3), TimeSpan.FromSeconds(60), () => Task.FromResult($"published up to round {stream.LastRound}"));
        stream.Finish();
        int rounds = await publishing;

        // Healthy again, by itself.
        JsonElement healthAfter = default;
        await SiloCluster.UntilAsync(
            async () =>
            {
                (HttpStatusCode status, healthAfter) = await HealthAsync(http);
                return status == HttpStatusCode.OK && healthAfter.GetProperty("status").GetString() == "Healthy";
            },
            TimeSpan.FromSeconds(60),
            () => Task.FromResult(healthAfter.ValueKind == JsonValueKind.Undefined ? "no answer" : healthAfter.GetRawText()));
        TimeSpan healthyAfter = sinceRestart.Elapsed;

        // Every uplink is in its twin once: the newest frame counter, and one version per uplink since the first.
        await SiloCluster.UntilAsync(
            async () => await CountAtAsync(http, fleet, (uint)rounds) == Devices,
            TimeSpan.FromSeconds(60),
            async () => $"{await CountAtAsync(http, fleet, (uint)rounds)} of {Devices} twins are at frame {rounds}");
        foreach ((_, string id) in fleet.Devices)
        {
            long version = (await TwinAsync(http, id)).GetProperty("version").GetInt64();
            Assert.True(version == versionAtFirst[id] + rounds - 1, $"{id}: version {version}, expected {versionAtFirst[id]} + {rounds - 1} uplinks");
        }

        // ...and in the history, each frame once, including those the twin applied while the database was away.
        const string PerDevice = "SELECT count(*) FILTER (WHERE n = $1 AND d = $1) FROM (SELECT count(*) AS n, count(DISTINCT f_cnt) AS d FROM uplink_history WHERE twin_id LIKE 'SLD-%' GROUP BY twin_id) x";
        await SiloCluster.UntilAsync(
            async () => await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, PerDevice, (long)rounds) == Devices,
            TimeSpan.FromSeconds(60),
            async () => string.Join(", ", await TestDatabase.StringsAsync(
                cluster.ConnectionString, "SELECT twin_id || ': ' || count(*) || ' rows, ' || count(DISTINCT f_cnt) || ' frames' FROM uplink_history GROUP BY twin_id ORDER BY twin_id")));
        TimeSpan recordedAfter = sinceRestart.Elapsed;
        foreach ((_, string id) in fleet.Devices)
        {
            JsonElement history = await http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/streetlights/{id}/history?limit=1000");
            uint[] frames = [.. history.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("fCnt").GetUInt32()).Order()];
            Assert.Equal(Enumerable.Range(1, rounds).Select(r => (uint)r), frames);
        }

        // The silo rode it out: the same process, still the one active silo, and it saw the redeliveries.
        Assert.False(silo.HasExited, "the silo exited:\n" + silo.LogTail());
        JsonElement[] silos = await SiloCluster.SilosAsync(silo);
        Assert.Single(silos, s => s.GetProperty("status").GetString() == "active");
        string metrics = await http.GetStringAsync("/metrics");
        double duplicates = PrometheusText.Sum(metrics, "twincity_ingest_duplicates") ?? 0;
        Assert.True(duplicates > 0, "no uplink was delivered again, so none was left unacknowledged during the outage");

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"outage {outage.TotalSeconds:0.0} s; readiness during it {(int)degradedStatus} {degradedHealth}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"after the restart: readiness Healthy within {healthyAfter.TotalSeconds:0.0} s, every uplink in its twin and in the history within {recordedAfter.TotalSeconds:0.0} s (publishing went on for 3 more rounds)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Devices} devices x {rounds} uplinks = {Devices * rounds} published, {publishedInOutage} of them while the database was away; the newest frame a twin applied meanwhile {newestInOutage} (round {roundAtStop} at the stop); redelivered as duplicates {duplicates}; all applied once and recorded once"));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> HealthAsync(HttpClient http)
    {
        using HttpResponseMessage response = await http.GetAsync("/health/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static string PostgresEntry(JsonElement health) =>
        health.GetProperty("checks").TryGetProperty("postgres", out JsonElement entry) ? entry.GetString() ?? string.Empty : string.Empty;

    private static async Task<JsonElement> TwinAsync(HttpClient http, string id)
    {
        using HttpResponseMessage response = await http.GetAsync($"/api/v1/twins/streetlights/{id}");
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET twin {id}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<int> CountAtAsync(HttpClient http, CityFleet fleet, uint fCnt)
    {
        int count = 0;
        foreach ((_, string id) in fleet.Devices)
        {
            if (await SiloCluster.TwinFCntAsync(http, id) == fCnt)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>A network server publishing one round of uplinks (one per device, QoS 1) every 200 ms until told to finish.</summary>
    private sealed class UplinkStream(CityFleet fleet, TestPublisher publisher) : IAsyncDisposable
    {
        private int _published;
        private int _lastRound;
        private volatile bool _finish;
        private Task? _running;

        public int Published => Volatile.Read(ref _published);

        /// <summary>The last round the broker acknowledged in full.</summary>
        public int LastRound => Volatile.Read(ref _lastRound);

        public void Finish() => _finish = true;

        /// <summary>Returns the last round published.</summary>
        public Task<int> RunAsync(int firstRound)
        {
            Task<int> running = PublishAsync(firstRound);
            _running = running;
            return running;
        }

        /// <summary>A test that failed half-way leaves no publisher running behind it.</summary>
        public async ValueTask DisposeAsync()
        {
            Finish();
            if (_running is not null)
            {
                await _running.ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        private Task<int> PublishAsync(int firstRound) => Task.Run(async () =>
        {
            for (int round = firstRound; !_finish; round++)
            {
                foreach ((string devEui, _) in fleet.Devices)
                {
                    await publisher.PublishAsync(
                        NetworkServerMessages.ChirpStackUpTopic(devEui),
                        NetworkServerMessages.ChirpStackUp(devEui, (uint)round, 85, decoded: new { on = true, dimLevel = round % 101 }));
                    Interlocked.Increment(ref _published);
                }

                Volatile.Write(ref _lastRound, round);
                await Task.Delay(RoundPause);
            }

            return LastRound;
        });
    }
}
