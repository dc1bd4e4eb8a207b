using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using TwinCity.Testing;
using Xunit.Abstractions;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// Three silo processes on one PostgreSQL and one mosquitto take uplinks through a shared
/// subscription while each in turn is stopped gracefully (SIGTERM) and started again on its own
/// address, as a rolling restart of a deployment does. Every uplink reaches its twin once: none is
/// lost with a leaving silo's broker session, and none is applied a second time when the broker
/// delivers again what the leaving silo had not acknowledged.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class RollingRestartTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Devices = 24;

    /// <summary>
    /// Rounds published before each stop, so that the silo stopped holds twins and uplinks in flight,
    /// and after the last restart, so that the last silo started takes its share too.
    /// </summary>
    private const int RoundsBetweenRestarts = 8;

    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task A_rolling_restart_of_three_silos_under_load_loses_no_uplink_and_applies_none_twice()
    {
        await using SiloCluster cluster = await SiloCluster.CreateAsync(postgres, "silorolling", TimeSpan.FromSeconds(2));
        CityProcess[] silos =
        [
            await cluster.StartSiloAsync("silo-a"),
            await cluster.StartSiloAsync("silo-b"),
            await cluster.StartSiloAsync("silo-c"),
        ];
        var started = new List<CityProcess>(silos);
        await SiloCluster.WaitReadyAsync(silos);
        await SiloCluster.AddressOfAsync(silos[0], cluster.SiloPortOf(silos[2]), expectedActive: 3);

        // The silos are started again on the same ports, so one client per silo serves before and after.
        HttpClient[] clients = [.. silos.Select(SiloCluster.Client)];
        try
        {
            CityFleet fleet = await CityFleet.ProvisionAsync(clients[0], Devices, "SLR");
            await using TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port);

            // A calm first round measures what one uplink does to a twin's version; every later
            // uplink, applied once, must do exactly that again.
            Dictionary<string, Twin> provisioned = await TwinsAsync(clients[0], fleet);
            await fleet.PublishRoundsAsync(publisher, 1, 1, Pause);
            await SiloCluster.UntilAsync(
                async () => await AllAtAsync(clients[0], fleet, 1),
                TimeSpan.FromSeconds(20),
                () => Task.FromResult("not every twin applied the first round"));
            Dictionary<string, Twin> first = await TwinsAsync(clients[0], fleet);
            long[] perUplink = [.. fleet.Devices.Select(d => first[d.Id].Version - provisioned[d.Id].Version).Distinct()];
            Assert.True(perUplink is [> 0], "one uplink changed the twins' versions by " + string.Join(", ", perUplink));
            long versionsPerUplink = perUplink[0];
            output.WriteLine($"one uplink raises a twin's version by {versionsPerUplink}");

            // The load runs on its own until every silo has been restarted and has taken uplinks since.
            using var stopLoad = new CancellationTokenSource();
            int lastRound = 1;
            Task load = Task.Run(async () =>
            {
                for (int round = 2; !stopLoad.IsCancellationRequested; round++)
                {
                    await fleet.PublishRoundsAsync(publisher, round, round, Pause);
                    Volatile.Write(ref lastRound, round);
                }
            });

            async Task WaitRoundsAsync()
            {
                int from = Volatile.Read(ref lastRound);
                await SiloCluster.UntilAsync(
                    () => Task.FromResult(Volatile.Read(ref lastRound) >= from + RoundsBetweenRestarts || load.IsCompleted),
                    TimeSpan.FromSeconds(30),
                    () => Task.FromResult($"the load published only up to round {Volatile.Read(ref lastRound)}"));
                Assert.False(load.IsCompleted, "the load stopped during the restarts");
            }

            try
            {
                for (int i = 0; i < silos.Length; i++)
                {
                    await WaitRoundsAsync();
                    CityProcess via = silos[(i + 1) % silos.Length];
                    string before = await SiloCluster.AddressOfAsync(via, cluster.SiloPortOf(silos[i]), expectedActive: 3);
                    var clock = Stopwatch.StartNew();
                    Assert.True(await silos[i].StopAsync(TimeSpan.FromSeconds(60)), "the silo did not stop by itself after SIGTERM:\n" + silos[i].LogTail());
                    Assert.Equal(0, silos[i].ExitCode);
                    TimeSpan stopped = clock.Elapsed;

                    silos[i] = await cluster.RestartSiloAsync(silos[i]);
                    started.Add(silos[i]);
                    await SiloCluster.WaitReadyAsync(silos[i]);
                    string after = await SiloCluster.AddressOfAsync(via, cluster.SiloPortOf(silos[i]), expectedActive: 3);
                    Assert.NotEqual(before, after);
                    output.WriteLine(
                        $"{before} stopped in {stopped.TotalSeconds:F1} s; {after} active {clock.Elapsed.TotalSeconds:F1} s after SIGTERM, at round {Volatile.Read(ref lastRound)}");
                }

                await WaitRoundsAsync();
            }
            finally
            {
                await stopLoad.CancelAsync();
                await load;
            }

            int rounds = lastRound;
            DateTime published = DateTime.UtcNow;
            output.WriteLine($"{rounds} rounds of {Devices} uplinks published");

            // 0 lost: every twin, wherever it lives now, applied the last round soon after it was published.
            await SiloCluster.UntilAsync(
                async () => await AllAtAsync(clients[0], fleet, rounds),
                TimeSpan.FromSeconds(30),
                async () => string.Join("; ", await MismatchesAsync(clients[0], fleet, rounds)));
            output.WriteLine($"every twin at round {rounds} {(DateTime.UtcNow - published).TotalSeconds:F1} s after the last publish");

            // ... and every frame of every device is in the durable history.
            const string PerDevice = "SELECT count(DISTINCT f_cnt) AS n FROM uplink_history WHERE twin_id LIKE 'SLR-%' GROUP BY twin_id";
            string fewest = $"SELECT coalesce(min(n), 0) FROM ({PerDevice}) x";
            await SiloCluster.UntilAsync(
                async () => await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, fewest) == rounds,
                TimeSpan.FromSeconds(30),
                async () => $"the device with the fewest recorded frames has {await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, fewest)} of {rounds}");

            // One history row per uplink. The table's key (twin, receive time, frame counter) makes a
            // redelivered copy of an uplink a conflict that is not inserted, so the count alone would not
            // see an uplink applied twice.
            Assert.Equal(
                (long)Devices * rounds,
                await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, "SELECT count(*) FROM uplink_history WHERE twin_id LIKE 'SLR-%'"));
            Assert.Equal(
                (long)Devices,
                await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, $"SELECT count(*) FROM ({PerDevice}) x"));

            // 0 applied twice, and none recorded without being applied: each twin's version rose by what
            // one uplink does, once per uplink. More would be an uplink applied twice; fewer, an uplink
            // in the history that its twin never applied (one that came too late for the twin's window
            // of frame counters is recorded, but dropped as old).
            Dictionary<string, Twin> last = await TwinsAsync(clients[0], fleet);
            long expected = (rounds - 1) * versionsPerUplink;
            string[] versionMismatches =
            [
                .. fleet.Devices
                    .Where(d => last[d.Id].Version - first[d.Id].Version != expected)
                    .Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Id}: {last[d.Id].Version - first[d.Id].Version}")),
            ];
            Assert.True(
                versionMismatches.Length == 0,
                $"versions rose by other than {expected} over {rounds - 1} uplinks: {string.Join("; ", versionMismatches)}");

            // No twin lived twice: a silo that stops writes each twin's snapshot as the twin leaves it, so a
            // twin woken on another silo after that has nothing newer in the history to replay. A replay, or
            // a snapshot write that meets another activation's, means the twin woke elsewhere while its
            // copy on the stopping silo still applied uplinks.
            string[] twiceLived = [.. started.SelectMany(TwinsWokenBesideACopy)];
            Assert.True(twiceLived.Length == 0, "twins woke beside a live copy:\n" + string.Join('\n', twiceLived));

            // No silo, of those stopped and those running now, logged an error of its own.
            string[] errors = [.. started.SelectMany(ErrorsIn)];
            Assert.True(errors.Length == 0, "errors logged:\n" + string.Join('\n', errors));
        }
        finally
        {
            foreach (HttpClient client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>
    /// The errors a silo logged itself, each with the line after it (the message). Orleans' own
    /// (and those of the Polly retries its placement runs) are left out: it logs what it retries or
    /// recovers from as errors, such as a joining silo's first connectivity check failing on a loaded
    /// machine, and the outcome of that is what the test measures.
    /// </summary>
    private static IEnumerable<string> ErrorsIn(CityProcess silo)
    {
        string[] lines = File.ReadAllLines(silo.LogPath);
        for (int i = 0; i < lines.Length; i++)
        {
            bool error = lines[i].Contains(" crit: ", StringComparison.Ordinal)
                || (lines[i].Contains(" fail: ", StringComparison.Ordinal)
                    && !lines[i].Contains(" fail: Orleans.", StringComparison.Ordinal)
                    && !lines[i].Contains(" fail: Polly[", StringComparison.Ordinal));
            if (error)
            {
                yield return $"{Path.GetFileName(silo.LogPath)}: {lines[i]} {(i + 1 < lines.Length ? lines[i + 1].Trim() : string.Empty)}";
            }
        }
    }

    /// <summary>The log lines where a twin replayed history or met a snapshot another activation wrote.</summary>
    private static IEnumerable<string> TwinsWokenBesideACopy(CityProcess silo)
    {
        string[] lines = File.ReadAllLines(silo.LogPath);
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i].Contains("TwinCity.Grains.Twins.TwinGrain[1005]", StringComparison.Ordinal)
                || lines[i].Contains("TwinCity.Grains.Twins.TwinGrain[1007]", StringComparison.Ordinal))
            {
                yield return $"{Path.GetFileName(silo.LogPath)}: {lines[i + 1].Trim()}";
            }
        }
    }

    private static async Task<Dictionary<string, Twin>> TwinsAsync(HttpClient http, CityFleet fleet)
    {
        var twins = new Dictionary<string, Twin>(StringComparer.Ordinal);
        foreach ((_, string id) in fleet.Devices)
        {
            JsonElement twin = await http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/streetlights/{id}");
            twins[id] = new Twin(
                twin.GetProperty("version").GetInt64(),
                twin.TryGetProperty("radio", out JsonElement radio) && radio.TryGetProperty("fCnt", out JsonElement f) ? f.GetUInt32() : null);
        }

        return twins;
    }

    private static async Task<bool> AllAtAsync(HttpClient http, CityFleet fleet, int fCnt) =>
        (await TwinsAsync(http, fleet)).Values.All(t => t.FCnt == fCnt);

    private static async Task<List<string>> MismatchesAsync(HttpClient http, CityFleet fleet, int fCnt) =>
        [.. (await TwinsAsync(http, fleet)).Where(t => t.Value.FCnt != fCnt).Select(t => $"{t.Key}: {t.Value.FCnt?.ToString(CultureInfo.InvariantCulture) ?? "none"}")];

    private sealed record Twin(long Version, uint? FCnt);
}
