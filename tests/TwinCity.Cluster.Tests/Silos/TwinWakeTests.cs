using System.Net.Http.Json;
using System.Text.Json;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// A cluster wakes its twins without waiting for uplinks: after a whole restart each silo wakes the
/// twins of the devices it owns, and when a silo dies the survivors wake the twins of the devices they
/// inherit. So the city's listings hold every twin, a device that fell silent while the cluster was
/// down is seen offline, and each twin is woken on the silo that applies its uplinks, whether its
/// device's topics name it by its DevEUI (ChirpStack) or by a device id (The Things Stack).
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class TwinWakeTests(PostgresFixture postgres)
{
    /// <summary>Devices of each network server; the twins of ChirpStack's are SLW-, of The Things Stack's SLT-.</summary>
    private const int PerNetwork = 24;
    private const int Devices = 2 * PerNetwork;
    private const string Applied = "twincity_twins_uplinks_total";

    /// <summary>The fleet's reporting interval: a device is offline 2.5 intervals after its last uplink.</summary>
    private const int IntervalSeconds = 4;

    [Fact]
    public async Task After_a_full_restart_and_after_a_silo_dies_every_twin_is_woken_on_its_devices_silo_without_an_uplink()
    {
        await using SiloCluster cluster = await SiloCluster.CreateAsync(postgres, "twinwake", TimeSpan.FromSeconds(30));
        (CityProcess a, CityProcess b) = await cluster.StartPairAsync();
        CityFleet chirpStack, theThingsStack;
        using (HttpClient http = SiloCluster.Client(a))
        {
            chirpStack = await CityFleet.ProvisionAsync(http, PerNetwork, "SLW", IntervalSeconds);
            theThingsStack = await CityFleet.ProvisionAsync(http, PerNetwork, "SLT", IntervalSeconds, theThingsStack: true);
            await using TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port);
            await chirpStack.PublishRoundsAsync(publisher, 1, 1, TimeSpan.FromMilliseconds(100));
            await theThingsStack.PublishRoundsAsync(publisher, 1, 1, TimeSpan.FromMilliseconds(100));
            await SiloCluster.UntilAsync(
                async () => (await ListAsync(http)).Count(t => t.Status == "online") == Devices,
                TimeSpan.FromSeconds(20),
                async () => Describe(await ListAsync(http)));
        }

        // The whole cluster stops, and stays down longer than the devices' offline window.
        Assert.True(await a.StopAsync(TimeSpan.FromSeconds(60)), "silo a did not stop");
        Assert.True(await b.StopAsync(TimeSpan.FromSeconds(60)), "silo b did not stop");
        await Task.Delay(TimeSpan.FromSeconds(IntervalSeconds * 3));

        // Started again with no uplink at all: every twin is back in the listings, and offline.
        CityProcess[] restarted = [await cluster.RestartSiloAsync(a), await cluster.RestartSiloAsync(b)];
        await SiloCluster.WaitReadyAsync(restarted);
        using HttpClient viaA = SiloCluster.Client(restarted[0]);
        await SiloCluster.UntilAsync(
            async () => (await ListAsync(viaA)).Count(t => t.Status == "offline") == Devices,
            TimeSpan.FromSeconds(30),
            async () => "after the restart: " + Describe(await ListAsync(viaA)));

        // Each was woken on the silo that owns its device, for The Things Stack's by the device id its
        // first uplink told: the next round is applied where it lives.
        await using (TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port))
        {
            await chirpStack.PublishRoundsAsync(publisher, 2, 2, TimeSpan.FromMilliseconds(100));
            await theThingsStack.PublishRoundsAsync(publisher, 2, 2, TimeSpan.FromMilliseconds(100));
        }

        await SiloCluster.UntilAsync(
            async () => (await ListAsync(viaA)).Count(t => t.Status == "online") == Devices,
            TimeSpan.FromSeconds(20),
            async () => "after round 2: " + Describe(await ListAsync(viaA)));
        double remote = 0;
        foreach (CityProcess silo in restarted)
        {
            remote += await SiloCluster.MetricAsync(silo, Applied, "placement=\"remote\"");
        }

        Assert.True(remote == 0, $"{remote} uplinks were applied to twins woken on another silo than their device's");

        // Silo b dies; nothing more is published. The twins it held wake on silo a, which alone can
        // see their devices fall silent: every twin is listed offline once the window has passed (a
        // twin that stayed asleep would stay "online" in its cell, or be missing with a cell b held).
        long heldByB = await SiloCluster.TwinsActiveOnAsync(restarted[0], cluster.SiloPortOf(restarted[1]));
        Assert.True(heldByB > 0, "silo b held no twin before it died");
        await restarted[1].KillAsync();
        await SiloCluster.UntilAsync(
            async () => (await ListAsync(viaA)).Count(t => t.Status == "offline") == Devices,
            TimeSpan.FromSeconds(40),
            async () => $"after silo b died (it held {heldByB} twins): " + Describe(await ListAsync(viaA)) + await UnlistedAsync(viaA, [.. chirpStack.Devices, .. theThingsStack.Devices]));
    }

    private static async Task<List<(string Id, string Status)>> ListAsync(HttpClient http)
    {
        JsonElement page = await http.GetFromJsonAsync<JsonElement>("/api/v1/twins?kind=streetlights&limit=500");
        return [.. page.GetProperty("items").EnumerateArray()
            .Select(t => (t.GetProperty("id").GetString()!, t.GetProperty("status").GetString()!))
            .Where(t => t.Item1.StartsWith("SLW-", StringComparison.Ordinal) || t.Item1.StartsWith("SLT-", StringComparison.Ordinal))];
    }

    /// <summary>The documents of the fleet's twins the listing lacks, or whose status it has wrong.</summary>
    private static async Task<string> UnlistedAsync(HttpClient http, IEnumerable<(string DevEui, string Id)> devices)
    {
        var listed = (await ListAsync(http)).ToDictionary(t => t.Id, t => t.Status);
        var lines = new List<string>();
        foreach ((_, string id) in devices)
        {
            JsonElement twin = await http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/streetlights/{id}");
            string status = twin.GetProperty("status").GetString()!;
            if (!listed.TryGetValue(id, out string? shown) || shown != status)
            {
                lines.Add($"{id}: listed {shown ?? "nowhere"}, the twin says {status} (last seen {twin.GetProperty("lastSeen")})");
            }
        }

        return lines.Count == 0 ? string.Empty : "; " + string.Join("; ", lines);
    }

    private static string Describe(List<(string Id, string Status)> twins) =>
        $"{twins.Count} of {Devices} twins listed: " + string.Join(", ", twins.GroupBy(t => t.Status).Select(g => $"{g.Count()} {g.Key}"));
}
