using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// In a cluster, the hub asks the twin directory in PostgreSQL whether a twin exists: a twin
/// provisioned through one silo can be watched through another, also after the whole cluster
/// restarted with nothing in memory, and a guess is refused on every silo.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class WatchTwinTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_provisioned_twin_is_watched_through_any_silo_even_after_a_full_restart_and_a_guess_is_refused()
    {
        await using SiloCluster cluster = await SiloCluster.CreateAsync(postgres, "watchtwin", TimeSpan.FromSeconds(1));
        CityProcess a = await cluster.StartSiloAsync("silo-a");
        CityProcess b = await cluster.StartSiloAsync("silo-b");
        await SiloCluster.WaitReadyAsync(a, b);
        string[] ids;
        using (HttpClient http = SiloCluster.Client(a))
        {
            ids = [.. (await CityFleet.ProvisionAsync(http, 2, "WTC")).Devices.Select(d => d.Id)];
        }

        await WatchAsync(b, ids);

        Assert.True(await a.StopAsync(TimeSpan.FromSeconds(60)));
        Assert.True(await b.StopAsync(TimeSpan.FromSeconds(60)));
        a = await cluster.RestartSiloAsync(a);
        b = await cluster.RestartSiloAsync(b);
        await SiloCluster.WaitReadyAsync(a, b);

        await WatchAsync(a, ids);
        await WatchAsync(b, ids);
    }

    private static async Task WatchAsync(CityProcess silo, string[] ids)
    {
        await using SiloViewer viewer = await SiloViewer.ConnectAsync(silo.BaseUrl);
        foreach (string id in ids)
        {
            JsonElement doc = await viewer.Connection.InvokeAsync<JsonElement>("WatchTwin", "streetlights", id);
            Assert.Equal(id, doc.GetProperty("id").GetString());
        }

        HubException guess = await Assert.ThrowsAsync<HubException>(() => viewer.Connection.InvokeAsync<JsonElement>("WatchTwin", "streetlights", "WTC-GUESS"));
        Assert.Contains("there is no twin", guess.Message, StringComparison.Ordinal);
    }
}
