using System.Net.Http.Json;
using System.Text.Json;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// In a cluster every applied uplink is in the durable history, so a twin changed only by uplinks
/// does not write its snapshot for each quiet spell: it waits for <c>Twins:SnapshotAfterUplinks</c>
/// of them (or <c>Twins:SnapshotMaxAge</c>). A silo killed meanwhile loses nothing: the twin wakes on
/// another silo from its older snapshot and replays the rest from the history.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class SnapshotPolicyTests(PostgresFixture postgres)
{
    private const int Devices = 6;
    private const int AfterUplinks = 5;

    private const string SnapshotVersions =
        "SELECT coalesce(sum(Version), 0) FROM OrleansStorage WHERE GrainIdExtensionString LIKE 'SSP-%'";

    [Fact]
    public async Task Uplinks_wait_for_their_snapshot_and_a_killed_silo_loses_none_of_them()
    {
        await using SiloCluster cluster = await SiloCluster.CreateAsync(postgres, "snappolicy", TimeSpan.FromSeconds(1));
        cluster.Settings["Twins__SnapshotAfterUplinks"] = AfterUplinks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        CityProcess a = await cluster.StartSiloAsync("silo-a");
        await SiloCluster.WaitReadyAsync(a);
        using HttpClient httpA = SiloCluster.Client(a);
        CityFleet fleet = await CityFleet.ProvisionAsync(httpA, Devices, "SSP");
        long provisioned = await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, SnapshotVersions);
        Assert.True(provisioned >= Devices, $"provisioning wrote {provisioned} snapshot versions for {Devices} twins");

        // Three uplinks each, fewer than SnapshotAfterUplinks: applied, recorded in the history, and
        // no snapshot written though each twin has been quiet for several quiet periods.
        await using (TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port))
        {
            await fleet.PublishRoundsAsync(publisher, 1, 3, TimeSpan.FromMilliseconds(50));
        }

        await SiloCluster.UntilAsync(
            async () => await RecordedAsync(cluster, 3),
            TimeSpan.FromSeconds(20),
            async () => $"the device with the fewest recorded uplinks has {await FewestRecordedAsync(cluster)} of 3");
        Dictionary<string, JsonElement> before = await TwinsAsync(httpA, fleet);
        Assert.All(before.Values, t => Assert.Equal(3u, t.GetProperty("radio").GetProperty("fCnt").GetUInt32()));
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(provisioned, await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, SnapshotVersions));

        // The silo dies with them unwritten; a new one wakes the twins from the provisioning
        // snapshots and the history, to the same versions and values.
        await a.KillAsync();
        CityProcess b = await cluster.StartSiloAsync("silo-b");
        await SiloCluster.WaitReadyAsync(b);
        using HttpClient httpB = SiloCluster.Client(b);
        Dictionary<string, JsonElement> after = await TwinsAsync(httpB, fleet);
        foreach ((string id, JsonElement was) in before)
        {
            JsonElement now = after[id];
            Assert.Equal(was.GetProperty("version").GetInt64(), now.GetProperty("version").GetInt64());
            Assert.Equal(3u, now.GetProperty("radio").GetProperty("fCnt").GetUInt32());
            Assert.Equal(Reported(was, "dimLevel"), Reported(now, "dimLevel"));
        }

        // Two more uplinks bring each twin to SnapshotAfterUplinks since its snapshot (three replayed,
        // two live): from then on the quiet period writes it as before.
        await using (TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port))
        {
            await fleet.PublishRoundsAsync(publisher, 4, 5, TimeSpan.FromMilliseconds(50));
        }

        await SiloCluster.UntilAsync(
            async () => await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, SnapshotVersions) >= provisioned + Devices,
            TimeSpan.FromSeconds(40),
            async () => $"snapshot versions {await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, SnapshotVersions)}, expected at least {provisioned + Devices}; fCnts "
                + string.Join(",", (await TwinsAsync(httpB, fleet)).Values.Select(t => t.GetProperty("radio").GetProperty("fCnt").GetUInt32())));
    }

    private static async Task<bool> RecordedAsync(SiloCluster cluster, int uplinks) => await FewestRecordedAsync(cluster) == uplinks;

    private static Task<long> FewestRecordedAsync(SiloCluster cluster) => TestDatabase.ScalarAsync<long>(
        cluster.ConnectionString,
        "SELECT coalesce(min(n), 0) FROM (SELECT count(DISTINCT f_cnt) AS n FROM uplink_history WHERE twin_id LIKE 'SSP-%' GROUP BY twin_id) x");

    private static async Task<Dictionary<string, JsonElement>> TwinsAsync(HttpClient http, CityFleet fleet)
    {
        var twins = new Dictionary<string, JsonElement>();
        foreach ((_, string id) in fleet.Devices)
        {
            twins[id] = await http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/streetlights/{id}");
        }

        return twins;
    }

    private static double? Reported(JsonElement twin, string property) =>
        twin.GetProperty("reported").TryGetProperty(property, out JsonElement value) ? value.GetProperty("value").GetDouble() : null;
}
