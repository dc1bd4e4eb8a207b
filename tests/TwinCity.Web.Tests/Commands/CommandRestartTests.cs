using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TwinCity.Testing;
using TwinCity.Web.Auth;
using Xunit.Abstractions;

namespace TwinCity.Web.Tests.Commands;

/// <summary>
/// Pending commands across a restart of the silo, as a cluster runs it: a real silo process in
/// cluster mode on PostgreSQL (grain state, reminders) and mosquitto, with hashed keys from
/// configuration (and none built in). The first silo stops; a new one starts on the same database. One twin is read
/// at once after the restart (its command is still pending, then expires at its time); the other is
/// left alone until after its expiry, so only the stored reminder can have expired it on time.
/// </summary>
public sealed class CommandRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string CityKey = "restart-city-2f8e41";
    private const string ElectricityKey = "restart-azerishig-c0d9b7";
    // Long enough for the first silo to stop and the second to start (10 to 15 s on a 2-core machine),
    // which the test checks before it waits for the expiry.
    private const int TtlSeconds = 45;

    private PostgresServer? _postgres;
    private MosquittoBroker? _broker;
    private string _connectionString = string.Empty;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _broker = await MosquittoBroker.StartAsync();
        _connectionString = await _postgres.CreateUniqueDatabaseAsync("restart");
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_pending_command_survives_a_silo_restart_and_still_expires_on_time()
    {
        string watchedId;
        string leftAloneId;
        JsonElement watched;
        JsonElement leftAlone;
        await using (CityProcess first = await StartSiloAsync("first"))
        {
            using HttpClient city = Client(first, CityKey);
            using HttpClient electricity = Client(first, ElectricityKey);

            // A cluster silo has no built-in keys, and its map viewers need one.
            using HttpClient demo = Client(first, TestKeys.City);
            Assert.Equal(HttpStatusCode.Unauthorized, (await demo.GetAsync("/api/v1/city")).StatusCode);
            using var anonymous = new HttpClient { BaseAddress = first.BaseUrl };
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/hubs/city/negotiate?negotiateVersion=1", null)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await city.GetAsync("/api/v1/city")).StatusCode);
            watchedId = await ProvisionAsync(city);
            leftAloneId = await ProvisionAsync(city);
            watched = await IssueAsync(electricity, watchedId);
            leftAlone = await IssueAsync(electricity, leftAloneId);
            Assert.True(await first.StopAsync(), "the first silo did not stop by itself");
        }

        await using CityProcess second = await StartSiloAsync("second");
        using HttpClient reader = Client(second, CityKey);

        JsonElement afterRestart = await GetCommandAsync(reader, watchedId, watched.GetProperty("id").GetString()!);
        string status = afterRestart.GetProperty("status").GetString()!;
        Assert.True(status is "pending" or "sent", $"after the restart the command is {afterRestart}");
        DateTime expiresAt = watched.GetProperty("expiresAt").GetDateTime().ToUniversalTime();
        Assert.Equal(expiresAt, afterRestart.GetProperty("expiresAt").GetDateTime().ToUniversalTime());
        Assert.True(DateTime.UtcNow < expiresAt, "the restart took longer than the command's time to live: the test proves nothing");

        JsonElement expired = await WaitForExpiredAsync(reader, watchedId, watched.GetProperty("id").GetString()!, expiresAt);
        AssertExpiredOnTime(expired, expiresAt);

        // Not read since the restart: wait past its expiry without waking it, then look.
        DateTime leftAloneExpiresAt = leftAlone.GetProperty("expiresAt").GetDateTime().ToUniversalTime();
        TimeSpan untilAfter = leftAloneExpiresAt.AddSeconds(15) - DateTime.UtcNow;
        if (untilAfter > TimeSpan.Zero)
        {
            await Task.Delay(untilAfter);
        }

        JsonElement byReminder = await GetCommandAsync(reader, leftAloneId, leftAlone.GetProperty("id").GetString()!);
        Assert.Equal("expired", byReminder.GetProperty("status").GetString());
        AssertExpiredOnTime(byReminder, leftAloneExpiresAt);
    }

    private static void AssertExpiredOnTime(JsonElement command, DateTime expiresAt)
    {
        DateTime at = command.GetProperty("updatedAt").GetDateTime().ToUniversalTime();
        Assert.True(at >= expiresAt, $"expired at {at:O}, before its time {expiresAt:O}");
        Assert.True(at - expiresAt < TimeSpan.FromSeconds(10), $"expired at {at:O}, long after its time {expiresAt:O}");
    }

    private async Task<CityProcess> StartSiloAsync(string name)
    {
        var env = new Dictionary<string, string>
        {
            ["TwinCity__Mode"] = "Cluster",

            // Plain connections to the test's own loopback servers (the TLS hops have tests of their own).
            ["Cluster__Insecure"] = "true",
            ["ConnectionStrings__TwinCity"] = _connectionString,
            ["Mqtt__Host"] = "127.0.0.1",
            ["Mqtt__Port"] = _broker!.Port.ToString(CultureInfo.InvariantCulture),
            ["Orleans__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Access__Keys__0__Agency"] = "city",
            ["Access__Keys__0__Sha256"] = ApiKeyRing.HashHex(CityKey),
            ["Access__Keys__1__Agency"] = "azerishig",
            ["Access__Keys__1__Sha256"] = ApiKeyRing.HashHex(ElectricityKey),
            ["Logging__LogLevel__Polly"] = "Warning",
        };
        string url = $"http://127.0.0.1:{FreePort.Next()}";
        CityProcess silo = await CityProcess.StartAsync(CityProcess.SiloDll, env, ["--urls", url, "--simulate", "0"], name: "restart-" + name);
        try
        {
            await silo.WaitForAsync("/health/ready", TimeSpan.FromMinutes(3));
        }
        catch
        {
            output.WriteLine(silo.LogTail());
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    private static HttpClient Client(CityProcess silo, string key)
    {
        var http = new HttpClient { BaseAddress = silo.BaseUrl };
        http.DefaultRequestHeaders.Add(TestKeys.Header, key);
        return http;
    }

    private static async Task<string> ProvisionAsync(HttpClient city)
    {
        (_, string id) = await Ingest.IngestTestKit.ProvisionAsync(city, "streetlights", "milesight-ws558", "SLR");
        return id;
    }

    private static async Task<JsonElement> IssueAsync(HttpClient electricity, string id)
    {
        HttpResponseMessage response = await electricity.PostAsJsonAsync($"/api/v1/twins/streetlights/{id}/commands", new { name = "dim", args = new { level = 20 }, ttlSeconds = TtlSeconds });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        JsonElement command = await response.Content.ReadFromJsonAsync<JsonElement>();
        // The device was never heard, so no network server is known for the downlink: it stays pending.
        Assert.Equal("pending", command.GetProperty("status").GetString());
        return command;
    }

    private static async Task<JsonElement> GetCommandAsync(HttpClient http, string id, string commandId) =>
        await http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/streetlights/{id}/commands/{commandId}");

    private static async Task<JsonElement> WaitForExpiredAsync(HttpClient http, string id, string commandId, DateTime expiresAt)
    {
        JsonElement command;
        do
        {
            command = await GetCommandAsync(http, id, commandId);
            if (command.GetProperty("status").GetString() == "expired")
            {
                return command;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < expiresAt.AddSeconds(30));

        Assert.Fail($"command {commandId} did not expire; it is {command}");
        return command;
    }
}
