using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using TwinCity.Testing;
using TwinCity.Web.Auth;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>The cluster's audit trail lives in PostgreSQL: one trail for every silo, after a full restart, with refusals that cannot push actions out.</summary>
[Collection(PostgresFixture.Collection)]
public sealed class DurableAuditTests(PostgresFixture postgres)
{
    private const int Registrations = 20;
    private const int Refusals = 100_000;
    private const int RefusalsKept = 50_000;

    [Fact]
    public async Task The_audit_survives_a_full_cluster_restart_with_100000_refusals_in_between()
    {
        await using SiloCluster cluster = await SiloCluster.CreateAsync(postgres, "audit", TimeSpan.FromSeconds(5));
        cluster.Settings["Access__RateLimit__PermitsPerSecond"] = "1000000";
        cluster.Settings["Access__RateLimit__Burst"] = "1000000";
        cluster.Settings["Audit__RefusalsKept"] = RefusalsKept.ToString(System.Globalization.CultureInfo.InvariantCulture);
        cluster.Settings["Audit__TrimInterval"] = "00:00:02";
        cluster.Settings["Logging__LogLevel__Microsoft.AspNetCore"] = "Error";
        CityProcess a = await cluster.StartSiloAsync("silo-a");
        CityProcess b = await cluster.StartSiloAsync("silo-b");
        await SiloCluster.WaitReadyAsync(a, b);
        string keyId = ApiKeyRing.HashHex(SiloCluster.CityKey)[..12];

        // Actions: devices registered through both silos.
        CityFleet fleet;
        using (HttpClient viaA = SiloCluster.Client(a))
        {
            fleet = await CityFleet.ProvisionAsync(viaA, Registrations, "SLA");
        }

        // Refusals: the city's key may not command streetlights, 100,000 times, through both silos.
        var clock = Stopwatch.StartNew();
        using HttpClient refusedA = SiloCluster.Client(a);
        using HttpClient refusedB = SiloCluster.Client(b);
        int forbidden = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Refusals), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            HttpClient http = i % 2 == 0 ? refusedA : refusedB;
            using HttpResponseMessage response = await http.PostAsJsonAsync($"/api/v1/twins/streetlights/{fleet.Devices[i % Registrations].Id}/commands", new { name = "dim", args = new { level = 1 } }, ct);
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                Interlocked.Increment(ref forbidden);
            }
        });
        TimeSpan refusing = clock.Elapsed;
        Assert.Equal(Refusals, forbidden);

        // And a message ingest cannot read, which becomes a dead letter in PostgreSQL too.
        await using (TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port))
        {
            await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(fleet.Devices[0].DevEui), "{ not json");
        }

        // The whole cluster goes down and comes back.
        Assert.True(await a.StopAsync(TimeSpan.FromSeconds(60)), "silo a did not stop:\n" + a.LogTail());
        Assert.True(await b.StopAsync(TimeSpan.FromSeconds(60)), "silo b did not stop:\n" + b.LogTail());
        // Rows are numbered from 1 in a new database and only refusals are ever deleted: every id not an action's was a refusal written.
        long refusalsWritten = await CountAsync(cluster.ConnectionString, "SELECT max(id) - count(*) FILTER (WHERE NOT refusal) FROM audit_log");
        a = await cluster.RestartSiloAsync(a);
        b = await cluster.RestartSiloAsync(b);
        await SiloCluster.WaitReadyAsync(a, b);

        // Every action is there, read through the other silo, naming the key that acted.
        using HttpClient readB = SiloCluster.Client(b);
        JsonElement actions = await readB.GetFromJsonAsync<JsonElement>("/api/v1/audit?refused=false&limit=10000");
        JsonElement[] registered = [.. actions.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("action").GetString() == "device.register")];
        Assert.Equal(Registrations, registered.Length);
        Assert.All(registered, e => Assert.Equal(keyId, e.GetProperty("key").GetString()));
        Assert.Equal(fleet.Devices.Select(d => d.DevEui).Order(StringComparer.Ordinal), registered.Select(e => e.GetProperty("target").GetString()!).Order(StringComparer.Ordinal));

        JsonElement refusals = await readB.GetFromJsonAsync<JsonElement>("/api/v1/audit?refused=true&limit=5");
        JsonElement latest = refusals.GetProperty("items")[0];
        Assert.Equal("forbidden", latest.GetProperty("outcome").GetString());
        Assert.Equal(keyId, latest.GetProperty("key").GetString());

        // The refusals' own bound trims refusals only.
        long kept = refusalsWritten;
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while ((kept = await CountAsync(cluster.ConnectionString, "SELECT count(*) FROM audit_log WHERE refusal")) > RefusalsKept && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        Assert.InRange(kept, 1, RefusalsKept);
        Assert.Equal(Registrations, await CountAsync(cluster.ConnectionString, "SELECT count(*) FROM audit_log WHERE action = 'device.register'"));
        Assert.Equal(1, await CountAsync(cluster.ConnectionString, "SELECT count(*) FROM dead_letters WHERE reason = 'malformed-envelope' AND detail IS NOT NULL"));

        // The dead letter is answered by either silo after the restart, from PostgreSQL, payload and all.
        foreach (CityProcess silo in new[] { a, b })
        {
            using HttpClient read = SiloCluster.Client(silo);
            JsonElement letters = await read.GetFromJsonAsync<JsonElement>("/api/v1/ingest/dead-letters?reason=malformed-envelope");
            Assert.Equal("cluster", letters.GetProperty("scope").GetString());
            Assert.Equal(1, letters.GetProperty("counts").GetProperty("malformed-envelope").GetInt64());
            JsonElement letter = Assert.Single(letters.GetProperty("items").EnumerateArray());
            Assert.Equal(NetworkServerMessages.ChirpStackUpTopic(fleet.Devices[0].DevEui), letter.GetProperty("topic").GetString());
            Assert.Equal("base64:" + Convert.ToBase64String("{ not json"u8), letter.GetProperty("payload").GetString());
            Assert.False(string.IsNullOrEmpty(letter.GetProperty("detail").GetString()));
        }

        Console.WriteLine($"{Refusals} refusals answered in {refusing.TotalSeconds:0.0} s ({Refusals / refusing.TotalSeconds:0}/s); {refusalsWritten} written before the restart; {kept} kept after trimming to {RefusalsKept}; {Registrations} actions intact");
        Assert.Equal(Refusals, refusalsWritten);
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
