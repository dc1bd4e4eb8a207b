using System.Text.Json;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// Three silo processes on one PostgreSQL and one mosquitto take uplinks through a shared
/// subscription; one is killed (SIGKILL) while uplinks stream in and is never replaced: one survivor
/// takes its broker session over, and every uplink reaches its twin.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class SiloLossTests(PostgresFixture postgres)
{
    private const int Devices = 24;
    private const int Rounds = 24;
    private const int KillAfterRound = 8;

    [Fact]
    public async Task A_killed_silo_is_taken_over_by_one_survivor_and_no_uplink_is_lost()
    {
        await using SiloCluster cluster = await SiloCluster.CreateAsync(postgres, "siloloss", TimeSpan.FromSeconds(2));
        CityProcess a = await cluster.StartSiloAsync("silo-a");
        CityProcess b = await cluster.StartSiloAsync("silo-b");
        CityProcess c = await cluster.StartSiloAsync("silo-c");
        await SiloCluster.WaitReadyAsync(a, b, c);
        string deadAddress = await SiloCluster.AddressOfAsync(a, cluster.SiloPortOf(c), expectedActive: 3);

        using HttpClient httpA = SiloCluster.Client(a);
        using HttpClient httpB = SiloCluster.Client(b);
        CityFleet fleet = await CityFleet.ProvisionAsync(httpA, Devices, "SLK");
        await using SiloViewer viewer = await SiloViewer.ConnectAsync(b.BaseUrl);
        await viewer.WatchAreaAsync(CityFleet.Lon - 0.01, CityFleet.Lat - 0.01, CityFleet.Lon + 0.05, CityFleet.Lat + 0.05);

        await using TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port);
        await fleet.PublishRoundsAsync(publisher, 1, Rounds, TimeSpan.FromMilliseconds(100), async round =>
        {
            if (round == KillAfterRound)
            {
                await c.KillAsync();
            }
        });
        DateTime published = DateTime.UtcNow;

        // No replacement is started: within 20 s of the last publish every twin, wherever it lives now
        // (a third of them lived on the killed silo), has applied every uplink, including those the
        // broker had queued for the killed silo's session.
        await SiloCluster.UntilAsync(
            async () => await AllAppliedAsync(httpA, fleet, Rounds),
            TimeSpan.FromSeconds(20),
            async () => string.Join("; ", await MismatchesAsync(fleet, httpA, Rounds)));
        TimeSpan took = DateTime.UtcNow - published;
        Assert.True(took < TimeSpan.FromSeconds(20), $"the last uplinks were applied {took.TotalSeconds:F1} s after they were published");
        Assert.True(await AllAppliedAsync(httpB, fleet, Rounds), "silo b sees another state: " + string.Join("; ", await MismatchesAsync(fleet, httpB, Rounds)));

        // The killed silo was declared dead, and exactly one survivor took its broker session over.
        await SiloCluster.UntilAsync(
            async () => (await SiloCluster.SilosAsync(a)).Any(s => Address(s) == deadAddress && Status(s) == "dead"),
            TimeSpan.FromSeconds(30),
            async () => JsonSerializer.Serialize(await SiloCluster.SilosAsync(a)));
        await SiloCluster.UntilAsync(
            async () => await SiloCluster.MetricAsync(a, "twincity_ingest_takeovers_total") + await SiloCluster.MetricAsync(b, "twincity_ingest_takeovers_total") >= 1,
            TimeSpan.FromSeconds(20),
            () => Task.FromResult("no survivor took the killed silo's session over"));
        await Task.Delay(TimeSpan.FromSeconds(4));
        double takeovers = await SiloCluster.MetricAsync(a, "twincity_ingest_takeovers_total") + await SiloCluster.MetricAsync(b, "twincity_ingest_takeovers_total");
        Assert.Equal(1, takeovers);
        Assert.False(await cluster.SessionPresentAsync(deadAddress), "the broker still holds the killed silo's session after the takeover");

        // Every uplink is in the durable history once per frame.
        const string PerDevice = "SELECT min(n) FROM (SELECT count(DISTINCT f_cnt) AS n FROM uplink_history WHERE twin_id LIKE 'SLK-%' GROUP BY twin_id) x";
        await SiloCluster.UntilAsync(
            async () => await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, PerDevice) == Rounds,
            TimeSpan.FromSeconds(30),
            async () => $"the device with the fewest recorded uplinks has {await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, PerDevice)} of {Rounds}");

        // The viewer on a surviving silo sees every twin's last change, also of twins and cells that lived
        // on the killed silo: a cell that wakes again elsewhere is told again by the twins that live on,
        // and the twins that lived on the killed silo tell it as they wake with their redelivered uplinks.
        await SiloCluster.UntilAsync(
            () => Task.FromResult(viewer.HighestDimLevels().Count(d => d.Value == Rounds) == Devices),
            TimeSpan.FromSeconds(30),
            () => Task.FromResult("highest dim level seen of each twin: " + string.Join(", ", viewer.HighestDimLevels().Select(d => $"{d.Key} {d.Value}"))));
        string metrics = await httpA.GetStringAsync("/metrics");
        Assert.Contains("twincity_history_write_lag", metrics, StringComparison.Ordinal);
        Assert.Contains("orleans_", metrics, StringComparison.Ordinal);
    }

    private static async Task<List<string>> MismatchesAsync(CityFleet fleet, HttpClient http, int fCnt)
    {
        var mismatches = new List<string>();
        foreach ((_, string id) in fleet.Devices)
        {
            uint? twin = await SiloCluster.TwinFCntAsync(http, id);
            if (twin != fCnt)
            {
                mismatches.Add($"{id}: {twin?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
            }
        }

        return mismatches;
    }

    private static async Task<bool> AllAppliedAsync(HttpClient http, CityFleet fleet, int fCnt)
    {
        foreach ((_, string id) in fleet.Devices)
        {
            if (await SiloCluster.TwinFCntAsync(http, id) != fCnt)
            {
                return false;
            }
        }

        return true;
    }

    private static string Address(JsonElement silo) => silo.GetProperty("address").GetString()!;

    private static string Status(JsonElement silo) => silo.GetProperty("status").GetString()!;
}
