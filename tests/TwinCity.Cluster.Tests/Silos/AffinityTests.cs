using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// Device affinity: whichever silo the broker hands an uplink to, it is applied on the silo that owns
/// the device, where its twin lives, so that a twin's uplinks stop crossing between silos once each
/// twin has settled; also after a silo joins and takes over part of the ring.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class AffinityTests(PostgresFixture postgres)
{
    private const int Devices = 48;
    private const string Local = "twincity_twins_uplinks_total";

    [Fact]
    public async Task Uplinks_are_applied_on_the_silo_that_hosts_their_twin_also_after_a_silo_joins()
    {
        await using SiloCluster cluster = await SiloCluster.CreateAsync(postgres, "affinity", TimeSpan.FromSeconds(30));
        (CityProcess a, CityProcess b) = await cluster.StartPairAsync();
        using HttpClient http = SiloCluster.Client(a);
        CityFleet fleet = await CityFleet.ProvisionAsync(http, Devices, "SLA");
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port);

        // Warm-up: twins activated by provisioning settle on the silos that own their devices.
        await fleet.PublishRoundsAsync(publisher, 1, 3, TimeSpan.FromMilliseconds(300));
        await UntilAppliedAsync(http, fleet, 3);
        await Task.Delay(TimeSpan.FromSeconds(2));

        (double local0, double remote0) = await PlacementAsync(a, b);
        await fleet.PublishRoundsAsync(publisher, 4, 8, TimeSpan.FromMilliseconds(200));
        await UntilAppliedAsync(http, fleet, 8);
        (double local1, double remote1) = await PlacementAsync(a, b);
        double applied = local1 - local0 + remote1 - remote0;
        Assert.True(applied >= Devices * 5, $"only {applied} uplinks counted by placement");
        Assert.True(remote1 - remote0 == 0, $"{remote1 - remote0} of {applied} uplinks crossed to another silo after warm-up");

        // Both silos apply uplinks, and forwarding carried the ones the broker gave the other silo.
        Assert.True(await SiloCluster.MetricAsync(a, Local, "placement=\"local\"") > 0, "silo a applied no uplink of its own devices");
        Assert.True(await SiloCluster.MetricAsync(b, Local, "placement=\"local\"") > 0, "silo b applied no uplink of its own devices");
        Assert.True(
            await SiloCluster.MetricAsync(a, "twincity_ingest_forwarded_total") + await SiloCluster.MetricAsync(b, "twincity_ingest_forwarded_total") > 0,
            "no message was passed to the silo owning its device: the broker gave every silo only its own devices, which a shared subscription does not do");

        // A third silo joins: part of the ring, and the twins of its devices, move to it.
        CityProcess c = await cluster.StartSiloAsync("silo-c");
        await SiloCluster.WaitReadyAsync(c);
        await SiloCluster.AddressOfAsync(a, cluster.SiloPortOf(c), expectedActive: 3);
        await Task.Delay(TimeSpan.FromSeconds(5));
        await fleet.PublishRoundsAsync(publisher, 9, 11, TimeSpan.FromMilliseconds(300));
        await UntilAppliedAsync(http, fleet, 11);
        await Task.Delay(TimeSpan.FromSeconds(2));

        (double local2, double remote2) = await PlacementAsync(a, b, c);
        await fleet.PublishRoundsAsync(publisher, 12, 16, TimeSpan.FromMilliseconds(200));
        await UntilAppliedAsync(http, fleet, 16);
        (double local3, double remote3) = await PlacementAsync(a, b, c);
        double after = local3 - local2 + remote3 - remote2;
        Assert.True(after >= Devices * 5, $"only {after} uplinks counted by placement after the join");
        Assert.True(remote3 - remote2 == 0, $"{remote3 - remote2} of {after} uplinks crossed to another silo after the join settled");
        Assert.True(await SiloCluster.MetricAsync(c, Local, "placement=\"local\"") > 0, "the silo that joined applies no uplinks of its own devices");
    }

    [Fact]
    public async Task A_silo_hosting_more_twins_than_its_directory_cache_finds_them_without_asking_another_silo()
    {
        const int devices = 160;
        await using SiloCluster cluster = await SiloCluster.CreateAsync(postgres, "dircache", TimeSpan.FromSeconds(30));

        // A city has hundreds of thousands of twins a silo, against a cache of 20,000; here 80 against 8.
        cluster.Settings["Orleans__DirectoryCacheSize"] = "8";
        (CityProcess a, CityProcess b) = await cluster.StartPairAsync();
        using HttpClient http = SiloCluster.Client(a);
        CityFleet fleet = await CityFleet.ProvisionAsync(http, devices, "SLD");
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port);
        await fleet.PublishRoundsAsync(publisher, 1, 3, TimeSpan.FromMilliseconds(300));
        await UntilAppliedAsync(http, fleet, 3);
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Steady state, watched through the silos' metrics only (reading twins through the API would look them up).
        double applied0 = await SumAsync(Local, a, b);
        double lookups0 = await SumAsync(RemoteLookups, a, b);
        await fleet.PublishRoundsAsync(publisher, 4, 6, TimeSpan.FromMilliseconds(200));
        await SiloCluster.UntilAsync(
            async () => await SumAsync(Local, a, b) >= applied0 + (devices * 3),
            TimeSpan.FromSeconds(30),
            async () => $"{await SumAsync(Local, a, b) - applied0} of {devices * 3} uplinks applied");
        double lookups = await SumAsync(RemoteLookups, a, b) - lookups0;
        Assert.True(lookups <= devices * 3 / 20, $"{lookups} lookups sent to another silo's part of the directory for {devices * 3} uplinks to twins that live where they are applied");
    }

    [Fact]
    public async Task Twins_woken_by_their_devices_first_uplinks_after_a_restart_are_activated_without_asking_another_silo()
    {
        const int devices = 160;
        await using SiloCluster cluster = await SiloCluster.CreateAsync(postgres, "presumed", TimeSpan.FromSeconds(30));

        // Nothing woken ahead of the uplinks: each twin wakes with its device's first uplink.
        cluster.Settings["Wake__Enabled"] = "false";
        (CityProcess a, CityProcess b) = await cluster.StartPairAsync();
        CityFleet fleet;
        using (HttpClient http = SiloCluster.Client(a))
        {
            fleet = await CityFleet.ProvisionAsync(http, devices, "SLP");
        }

        Assert.True(await a.StopAsync(TimeSpan.FromSeconds(60)), "silo a did not stop");
        Assert.True(await b.StopAsync(TimeSpan.FromSeconds(60)), "silo b did not stop");
        CityProcess[] restarted = [await cluster.RestartSiloAsync(a), await cluster.RestartSiloAsync(b)];
        await cluster.WaitJoinedAsync(restarted[0], restarted[1]);
        await Task.Delay(TimeSpan.FromSeconds(4));

        // Watched through the silos' metrics only (reading twins through the API would look them up).
        double lookups0 = await SumAsync(RemoteLookups, restarted);
        await using (TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port))
        {
            await fleet.PublishRoundsAsync(publisher, 1, 1, TimeSpan.FromMilliseconds(300));
        }

        await SiloCluster.UntilAsync(
            async () => await SumAsync(Local, restarted) >= devices,
            TimeSpan.FromSeconds(30),
            async () => $"{await SumAsync(Local, restarted)} of {devices} first uplinks applied where they were received or forwarded");

        // Half of the twins keep their part of the directory on the other silo: asked there, that is
        // some 80 lookups. Presumed here, only the cells the twins tell of themselves are looked up.
        double lookups = await SumAsync(RemoteLookups, restarted) - lookups0;
        Assert.True(lookups <= devices / 8, $"{lookups} lookups sent to another silo's part of the directory while {devices} twins woke with their devices' first uplinks");
    }

    private const string RemoteLookups = "orleans_directory_lookups_remote_sent_total";

    private static Task<double> SumAsync(string metric, params CityProcess[] silos) => SumAsync(metric, null, silos);

    private static async Task<double> SumAsync(string metric, string? label, params CityProcess[] silos)
    {
        double sum = 0;
        foreach (CityProcess silo in silos)
        {
            sum += await SiloCluster.MetricAsync(silo, metric, label);
        }

        return sum;
    }

    private static async Task<(double Local, double Remote)> PlacementAsync(params CityProcess[] silos) =>
        (await SumAsync(Local, "placement=\"local\"", silos), await SumAsync(Local, "placement=\"remote\"", silos));

    private static Task UntilAppliedAsync(HttpClient http, CityFleet fleet, int fCnt) =>
        SiloCluster.UntilAsync(
            async () =>
            {
                foreach ((_, string id) in fleet.Devices)
                {
                    if (await SiloCluster.TwinFCntAsync(http, id) != fCnt)
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(30),
            () => Task.FromResult($"not every twin reached frame {fCnt}"));
}
