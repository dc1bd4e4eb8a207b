using System.Text.Json;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>A silo stopped with SIGTERM while uplinks stream in: it leaves the shared subscription, finishes and acknowledges what it holds, writes its twins' snapshots and leaves the cluster.</summary>
[Collection(PostgresFixture.Collection)]
public sealed class GracefulShutdownTests(PostgresFixture postgres)
{
    private const int Devices = 16;
    private const int Rounds = 24;
    private const int StopAfterRound = 8;

    [Fact]
    public async Task A_silo_stopped_under_load_loses_nothing_and_writes_its_snapshots()
    {
        // A quiet period far longer than the test: the only snapshots after provisioning are the ones
        // written on the way out.
        await using SiloCluster cluster = await SiloCluster.CreateAsync(postgres, "silostop", TimeSpan.FromMinutes(10));
        CityProcess a = await cluster.StartSiloAsync("silo-a");
        CityProcess b = await cluster.StartSiloAsync("silo-b");
        await SiloCluster.WaitReadyAsync(a, b);
        CityFleet fleet;
        string addressA = await SiloCluster.AddressOfAsync(a, cluster.SiloPortOf(a), expectedActive: 2);
        string addressB = await SiloCluster.AddressOfAsync(a, cluster.SiloPortOf(b), expectedActive: 2);

        using (HttpClient provisioning = SiloCluster.Client(a))
        {
            fleet = await CityFleet.ProvisionAsync(provisioning, Devices, "SLG");
        }

        await using TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port);

        // Placement decides where the twins live; the silo holding more of them is the one stopped.
        long twinsOnStopped = -1;
        string leaving = addressB;
        CityProcess stopped = b;
        CityProcess remaining = a;
        Task<bool>? stopping = null;
        await fleet.PublishRoundsAsync(publisher, 1, Rounds, TimeSpan.FromMilliseconds(100), async round =>
        {
            if (round == StopAfterRound)
            {
                JsonElement[] silos = await SiloCluster.SilosAsync(a);
                long onA = silos.Where(s => s.GetProperty("address").GetString() == addressA).Sum(SiloCluster.TwinsActive);
                long onB = silos.Where(s => s.GetProperty("address").GetString() == addressB).Sum(SiloCluster.TwinsActive);
                if (onA > onB)
                {
                    (leaving, stopped, remaining) = (addressA, a, b);
                }

                twinsOnStopped = Math.Max(onA, onB);
                stopping = stopped.StopAsync(TimeSpan.FromSeconds(60));
            }
        });

        Assert.True(await stopping!, "the silo did not stop by itself after SIGTERM:\n" + stopped.LogTail());
        Assert.Equal(0, stopped.ExitCode);
        Assert.True(twinsOnStopped > 0, "the stopped silo had no twins; the test proves nothing");
        using HttpClient http = SiloCluster.Client(remaining);

        // Every published uplink reached its twin on the remaining silo, and the history holds each once.
        await SiloCluster.UntilAsync(
            async () =>
            {
                foreach ((_, string id) in fleet.Devices)
                {
                    if (await SiloCluster.TwinFCntAsync(http, id) != Rounds)
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(60),
            async () => string.Join(", ", await Task.WhenAll(fleet.Devices.Select(async dv => $"{dv.Id}={await SiloCluster.TwinFCntAsync(http, dv.Id)}"))));
        // Uplinks whose twin was moving off the stopped silo were left for redelivery; they come again
        // as duplicates of what the twin has since applied, and are recorded then.
        await SiloCluster.UntilAsync(
            async () => await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, "SELECT count(*) FROM uplink_history WHERE twin_id LIKE 'SLG-%'") == (long)Devices * Rounds,
            TimeSpan.FromSeconds(60),
            async () => $"{await TestDatabase.ScalarAsync<long>(cluster.ConnectionString, "SELECT count(*) FROM uplink_history WHERE twin_id LIKE 'SLG-%'")} of {Devices * Rounds} uplinks recorded");

        // The history API answers from PostgreSQL on any silo: newest first, one item per uplink.
        JsonElement history = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<JsonElement>(
            http, $"/api/v1/twins/streetlights/{fleet.Devices[0].Id}/history?property=dimLevel&from={DateTime.UtcNow.AddHours(-1):O}");
        Assert.True(history.GetProperty("durable").GetBoolean());
        Assert.Equal(
            Enumerable.Range(1, Rounds).Reverse(),
            history.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("values").GetProperty("dimLevel").GetInt32()));

        // The twins the stopped silo held wrote their snapshots on the way out. Provisioning wrote
        // version 1, and the remaining silo writes none within the quiet period, so every later
        // version is a snapshot written at shutdown.
        long snapshots = await TestDatabase.ScalarAsync<long>(
            cluster.ConnectionString, "SELECT count(*) FROM OrleansStorage WHERE GrainIdExtensionString LIKE 'SLG-%' AND Version >= 2");
        Assert.True(snapshots >= twinsOnStopped, $"{snapshots} snapshots written at shutdown, but the silo held {twinsOnStopped} twins");

        // It left the cluster rather than being voted dead later.
        JsonElement[] after = await SiloCluster.SilosAsync(remaining);
        Assert.Equal("dead", after.Single(s => s.GetProperty("address").GetString() == leaving).GetProperty("status").GetString());
    }
}
