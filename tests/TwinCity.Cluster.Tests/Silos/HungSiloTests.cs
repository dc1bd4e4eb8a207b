using System.Globalization;
using System.Text.Json;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// A silo that hangs (SIGSTOP) while uplinks stream in: its sockets stay open, so neither Orleans nor
/// the broker sees it close. Orleans declares it dead by its missed probes, one survivor takes its
/// broker session over, and when it runs again (SIGCONT) it applies and acknowledges nothing more.
/// Until it is declared dead the survivors keep applying their own devices' uplinks, though the ones
/// they hold for the hung silo's devices would fill their MQTT windows many times over, and so would
/// those of their own devices whose twins still live on the hung silo.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class HungSiloTests(PostgresFixture postgres)
{
    private const int Devices = 96;

    /// <summary>Devices provisioned through the hung silo just before it hangs: their twins live there.</summary>
    private const int StrandedDevices = 12;
    private const int Rounds = 30;
    private const int FreezeAfterRound = 6;

    [Fact]
    public async Task A_hung_silo_is_declared_dead_taken_over_and_applies_nothing_once_it_runs_again()
    {
        await using SiloCluster cluster = await SiloCluster.CreateAsync(postgres, "silohung", TimeSpan.FromSeconds(2));

        // A window of 64: each survivor receives some 250 uplinks for the hung silo's devices before it
        // is declared dead. They wait beside the window once the hung silo has left a batch and a ping
        // unanswered 200 ms each.
        cluster.Settings["Mqtt__InFlight"] = "64";
        cluster.Settings["Ingest__SilentOwnerAfter"] = "00:00:00.200";

        // Declared dead after twelve missed probes rather than three, so the survivors' progress before
        // the declaration can be seen (on a machine busy with other tests too).
        cluster.Settings["Orleans__Membership__NumMissedProbesLimit"] = "12";
        CityProcess a = await cluster.StartSiloAsync("silo-a");
        CityProcess b = await cluster.StartSiloAsync("silo-b");
        CityProcess c = await cluster.StartSiloAsync("silo-c");
        await SiloCluster.WaitReadyAsync(a, b, c);
        string hungAddress = await SiloCluster.AddressOfAsync(a, cluster.SiloPortOf(c), expectedActive: 3);
        using HttpClient http = SiloCluster.Client(a);
        CityFleet fleet = await CityFleet.ProvisionAsync(http, Devices, "SLH");
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port);

        // Provisioned through the silo about to hang, a few more devices' twins live there. Two thirds
        // of them belong to the survivors by the ring, which would move each twin over once it is
        // idle; until then every survivor's call to one waits on the hung silo.
        await fleet.PublishRoundsAsync(publisher, 1, FreezeAfterRound, TimeSpan.FromMilliseconds(100));
        using HttpClient httpC = SiloCluster.Client(c);
        CityFleet stranded = await CityFleet.ProvisionAsync(httpC, StrandedDevices, "SLS");
        long frozeAt = Environment.TickCount64;
        c.Freeze();
        for (int round = FreezeAfterRound + 1; round <= Rounds; round++)
        {
            await Task.WhenAll(fleet.PublishRoundAtOnceAsync(publisher, round), stranded.PublishRoundAtOnceAsync(publisher, round));
            await Task.Delay(50);
        }

        // Before the hung silo is declared dead (a few seconds: missed probes), the survivors keep
        // applying what they receive for their own devices: their windows fill neither with what waits
        // for the hung silo's devices nor with what waits on the twins that still live there. Of the
        // first fleet's uplinks published after the freeze a third sit in the hung silo's session and
        // some of the rest wait for it; at least a quarter are applied (read from the history table and
        // the membership table: a twin on the hung silo would not answer, nor would the cluster view,
        // which asks every silo). Without the waits set aside, the survivors stopped after a handful.
        const int AfterFreeze = Devices * (Rounds - FreezeAfterRound);
        const int Expected = AfterFreeze / 4;
        string appliedAfterFreeze = $"SELECT count(*) FROM uplink_history WHERE twin_id LIKE 'SLH-%' AND f_cnt > {FreezeAfterRound}";
        string hungDead = $"SELECT count(*) FROM orleansmembershiptable WHERE port = {cluster.SiloPortOf(c)} AND status = 6";
        long applied = 0;
        bool declaredDead = false;
        var progress = new System.Text.StringBuilder($"published {Environment.TickCount64 - frozeAt} ms after the freeze; applied by ms after it:");
        long until = Environment.TickCount64 + 10_000;
        while (Environment.TickCount64 < until && !declaredDead && applied < Expected)
        {
            await Task.Delay(100);

            // Counted before the membership is read: a count taken while the silo was not yet seen dead.
            applied = await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, appliedAfterFreeze);
            declaredDead = await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, hungDead) > 0;
            progress.Append(CultureInfo.InvariantCulture, $" {Environment.TickCount64 - frozeAt}:{applied}");
        }

        Assert.False(declaredDead && applied < Expected, $"declared dead before the survivors' progress could be seen ({applied} applied; {progress})");
        Assert.True(applied >= Expected, $"only {applied} of the {AfterFreeze} uplinks published after the freeze were applied while the hung silo was not yet declared dead ({progress})");

        // Declared dead by the others, and its share applied by them: every twin reaches the last round.
        await SiloCluster.UntilAsync(
            async () => (await SiloCluster.SilosAsync(a)).Any(s => s.GetProperty("address").GetString() == hungAddress && s.GetProperty("status").GetString() == "dead"),
            TimeSpan.FromSeconds(60),
            async () => JsonSerializer.Serialize(await SiloCluster.SilosAsync(a)));
        await SiloCluster.UntilAsync(
            async () => await AllAtAsync(http, fleet, Rounds),
            TimeSpan.FromSeconds(30),
            async () => "not every twin applied the last round: " + await LaggingAsync(http, fleet, Rounds));
        await SiloCluster.UntilAsync(
            async () => await AllAtAsync(http, stranded, Rounds),
            TimeSpan.FromSeconds(30),
            async () => "not every twin that lived on the hung silo applied the last round: " + await LaggingAsync(http, stranded, Rounds));
        Assert.True(
            await SiloCluster.MetricAsync(a, "twincity_ingest_set_aside_total") + await SiloCluster.MetricAsync(b, "twincity_ingest_set_aside_total") > 0,
            "no survivor set a message aside behind a call to a twin on the hung silo");
        await SiloCluster.UntilAsync(
            async () => await SiloCluster.MetricAsync(a, "twincity_ingest_takeovers_total") + await SiloCluster.MetricAsync(b, "twincity_ingest_takeovers_total") == 1,
            TimeSpan.FromSeconds(20),
            () => Task.FromResult("no survivor took the hung silo's session over"));

        // Its database sessions are ended too, while it still hangs: an open transaction of a hung silo
        // would otherwise hold the survivors' writes of the same rows for as long as it hangs.
        string hungName = (await SiloCluster.SilosAsync(a)).Single(s => s.GetProperty("address").GetString() == hungAddress).GetProperty("name").GetString()!;
        Assert.Matches("^twincity-silo-[0-9a-f]{12}$", hungName);
        string sessions = $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{hungName}'";
        await SiloCluster.UntilAsync(
            async () => await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, sessions) == 0,
            TimeSpan.FromSeconds(15),
            async () => $"the hung silo still has {await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, sessions)} PostgreSQL sessions");

        await SiloCluster.UntilAsync(
            async () => !await cluster.SessionPresentAsync(hungAddress),
            TimeSpan.FromSeconds(20),
            () => Task.FromResult("the broker still holds the hung silo's session after the takeover"));

        // It runs again: Orleans stops it (it was declared dead) before it opens its session again,
        // and no uplink is applied a second time.
        const string Rows = "SELECT count(*) FROM uplink_history WHERE twin_id LIKE 'SLH-%'";
        long before = await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, Rows);
        c.Thaw();
        Assert.True(await c.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the silo declared dead kept running:\n" + c.LogTail());
        Assert.DoesNotContain("Ingest connected to MQTT broker", c.LogTail(200).Split("[sent SIGCONT]").Last(), StringComparison.Ordinal);
        await fleet.PublishRoundsAsync(publisher, Rounds + 1, Rounds + 2, TimeSpan.FromMilliseconds(100));
        await SiloCluster.UntilAsync(
            async () => await AllAtAsync(http, fleet, Rounds + 2),
            TimeSpan.FromSeconds(20),
            async () => "not every twin applied the rounds after the thaw: " + await LaggingAsync(http, fleet, Rounds + 2));
        Assert.Equal((long)Devices * (Rounds + 2), await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, Rows));
        Assert.True(before <= (long)Devices * Rounds, $"{before} history rows for {Devices * Rounds} uplinks");
        Assert.Equal(1, await SiloCluster.MetricAsync(a, "twincity_ingest_takeovers_total") + await SiloCluster.MetricAsync(b, "twincity_ingest_takeovers_total"));
    }

    private static async Task<string> LaggingAsync(HttpClient http, CityFleet fleet, int fCnt)
    {
        List<string> lagging = [];
        foreach ((_, string id) in fleet.Devices)
        {
            uint? at = await SiloCluster.TwinFCntAsync(http, id);
            if (at != fCnt)
            {
                lagging.Add($"{id} at {at?.ToString() ?? "none"}");
            }
        }

        return string.Join(", ", lagging);
    }

    private static async Task<bool> AllAtAsync(HttpClient http, CityFleet fleet, int fCnt)
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
}
