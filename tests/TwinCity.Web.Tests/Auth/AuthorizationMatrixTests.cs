using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace TwinCity.Web.Tests.Auth;

/// <summary>
/// Every endpoint and hub method against every kind of caller, over real HTTP and SignalR to the silo
/// as its own process: each answer must be what the caller's role allows, and the table of answers is
/// written to <c>docs/authorization.md</c>; the test fails when the committed table differs, so the
/// documentation cannot drift from what the city does. Also: a revoked key and an expired key are
/// refused within seconds and their hub connections closed.
/// </summary>
public sealed class AuthorizationMatrixTests(SignInCity fixture, ITestOutputHelper output) : IClassFixture<SignInCity>
{
    private const string Twin = "MATRIX-SL-1";
    private const string TwinEui = "70B3D57ED0FFA001";
    private const string RevokedKey = "signin-roads-revoked-31c9";
    private const string ExpiredKey = "signin-roads-expired-8e02";
    private static readonly TimeSpan RevocationBudget = TimeSpan.FromSeconds(5);

    private enum Access
    {
        Anonymous,
        Reader,
        Operator,
        NetworkServer,
        Viewer,
        StreetlightCommander,
        WaterMeterCommander,
        RoadSensorCommander,
        BusCommander,
    }

    private enum Outcome
    {
        Allowed,
        Unauthorized,
        Forbidden,
    }

    /// <summary>A kind of caller: what it presents, and what the city should make of it.</summary>
    private sealed record Caller(string Column, string Description, string? Key, string? Token, string? Agency, string? Role, Outcome? Always);

    /// <summary>One HTTP call of the matrix: the route as the API maps it, and the request made.</summary>
    private sealed record Call(string Route, string Method, string Path, Access Access);

    /// <summary>The hub methods, after connecting; the arguments are the matrix's own twin and area.</summary>
    private static readonly (string Name, string Method, object[] Args)[] HubCalls =
    [
        ("WatchArea", "WatchArea", [49.84, 40.38, 49.86, 40.40]),
        ("UnwatchArea", "UnwatchArea", [49.84, 40.38, 49.86, 40.40]),
        ("WatchTwin", "WatchTwin", ["streetlights", Twin]),
        ("UnwatchTwin", "UnwatchTwin", ["streetlights", Twin]),
        ("WatchTwin (no such twin)", "WatchTwin", ["streetlights", "MATRIX-NONE"]),
    ];

    private static readonly Call[] Calls =
    [
        new("GET /openapi/{documentName}.json", "GET", "/openapi/v1.json", Access.Anonymous),
        new("GET /health/live", "GET", "/health/live", Access.Anonymous),
        new("GET /health/ready", "GET", "/health/ready", Access.Anonymous),
        new("GET /metrics", "GET", "/metrics", Access.Anonymous),
        new("GET /api/v1/twins", "GET", "/api/v1/twins?limit=5", Access.Reader),
        new("GET /api/v1/twins/stats", "GET", "/api/v1/twins/stats", Access.Reader),
        new("GET /api/v1/twins/{kind}/{id}", "GET", $"/api/v1/twins/streetlights/{Twin}", Access.Reader),
        new("GET /api/v1/twins/{kind}/{id}/history", "GET", $"/api/v1/twins/streetlights/{Twin}/history", Access.Reader),
        new("GET /api/v1/twins/{kind}/{id}/commands/{commandId}", "GET", $"/api/v1/twins/streetlights/{Twin}/commands/0f8fad5b-d9cb-469f-a165-70867728950e", Access.Reader),
        new("POST /api/v1/twins/{kind}/{id}/commands", "POST", "/api/v1/twins/streetlights/MATRIX-NONE/commands", Access.StreetlightCommander),
        new("POST /api/v1/twins/{kind}/{id}/commands", "POST", "/api/v1/twins/water-meters/MATRIX-NONE/commands", Access.WaterMeterCommander),
        new("POST /api/v1/twins/{kind}/{id}/commands", "POST", "/api/v1/twins/road-sensors/MATRIX-NONE/commands", Access.RoadSensorCommander),
        new("POST /api/v1/twins/{kind}/{id}/commands", "POST", "/api/v1/twins/buses/MATRIX-NONE/commands", Access.BusCommander),
        new("GET /api/v1/city", "GET", "/api/v1/city", Access.Reader),
        new("GET /api/v1/audit", "GET", "/api/v1/audit?limit=1", Access.Reader),
        new("POST /api/v1/devices", "POST", "/api/v1/devices", Access.Operator),
        new("POST /api/v1/devices/import", "POST", "/api/v1/devices/import", Access.Operator),
        new("GET /api/v1/devices/{devEui}", "GET", "/api/v1/devices/70B3D57ED0FFA0FF", Access.Operator),
        new("DELETE /api/v1/devices/{devEui}", "DELETE", "/api/v1/devices/70B3D57ED0FFA0FF", Access.Operator),
        new("GET /api/v1/cluster", "GET", "/api/v1/cluster", Access.Operator),
        new("GET /api/v1/rules", "GET", "/api/v1/rules", Access.Operator),
        new("GET /api/v1/rules/{id}", "GET", "/api/v1/rules/matrix-none", Access.Operator),
        new("PUT /api/v1/rules/{id}", "PUT", "/api/v1/rules/matrix-none", Access.Operator),
        new("DELETE /api/v1/rules/{id}", "DELETE", "/api/v1/rules/matrix-none", Access.Operator),
        new("GET /api/v1/rules/{id}/firings", "GET", "/api/v1/rules/matrix-none/firings", Access.Operator),
        new("GET /api/v1/ingest/stats", "GET", "/api/v1/ingest/stats", Access.Operator),
        new("GET /api/v1/ingest/dead-letters", "GET", "/api/v1/ingest/dead-letters", Access.Operator),
        new("POST /api/v1/ingest/chirpstack", "POST", "/api/v1/ingest/chirpstack?event=up", Access.NetworkServer),
        new("POST /api/v1/ingest/tts", "POST", "/api/v1/ingest/tts", Access.NetworkServer),
    ];

    /// <summary>Routes served outside the OpenAPI document.</summary>
    private static readonly HashSet<string> NotInOpenApi = new(StringComparer.Ordinal)
    {
        "GET /openapi/{documentName}.json", "GET /health/live", "GET /health/ready", "GET /metrics",
    };

    [Fact]
    public async Task Every_endpoint_and_hub_method_answers_every_caller_as_its_role_allows_and_the_table_in_docs_is_current()
    {
        await ProvisionTwinAsync();
        await RevokeAsync();
        Caller[] callers = Callers();

        var failures = new List<string>();
        var rows = new List<(string Call, string[] Cells)>();
        foreach (Call call in Calls)
        {
            string[] cells = new string[callers.Length];
            for (int c = 0; c < callers.Length; c++)
            {
                Caller caller = callers[c];
                using HttpResponseMessage response = await SendAsync(call, caller);
                int status = (int)response.StatusCode;
                cells[c] = status.ToString(CultureInfo.InvariantCulture);
                Outcome expected = Expected(call.Access, caller);
                Outcome actual = OutcomeOf(response.StatusCode);
                if (actual != expected)
                {
                    failures.Add($"{call.Method} {call.Path} as {caller.Column}: {status} {await response.Content.ReadAsStringAsync()}, expected {expected}");
                }
                else if (actual != Outcome.Allowed && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{call.Method} {call.Path} as {caller.Column}: {status} is not a problem document");
                }
            }

            string kind = call.Path.Contains("/commands", StringComparison.Ordinal) && call.Method == "POST" ? $" ({call.Path.Split('/')[4]})" : string.Empty;
            rows.Add(($"`{call.Route}`{kind}", cells));
        }

        rows.AddRange(await HubRowsAsync(callers, failures));
        await CheckOpenApiCoversTheMatrixAsync(failures);

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        string table = Document(callers, rows);
        string path = Path.Combine(RepositoryRoot(), "docs", "authorization.md");
        string? committed = File.Exists(path) ? await File.ReadAllTextAsync(path) : null;
        if (!string.Equals(committed?.ReplaceLineEndings("\n"), table, StringComparison.Ordinal))
        {
            await File.WriteAllTextAsync(path, table);
            Assert.Fail($"{path} did not match what the city answers; the test wrote the current table there: review it and commit it.");
        }
    }

    [Fact]
    public async Task A_network_servers_token_speaks_only_for_the_applications_it_names()
    {
        using HttpClient city = Client(SignInCity.AgencyKeys.First(k => k.Agency == "city").Key, null);
        string devEui = Ingest.IngestTestKit.NewDevEui();
        string id = $"TOKNET-{Guid.NewGuid():N}"[..20];
        await Ingest.IngestTestKit.RegisterAsync(city, devEui, "streetlights", id, "milesight-ws558");
        using HttpClient lightsA = Client(null, fixture.Token("ns-a@network", "network", applications: ["lights-a", "not an id!"]));
        using HttpClient none = Client(null, fixture.Token("ns-0@network", "network"));

        using HttpResponseMessage other = await lightsA.PostAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(TwinCity.Testing.NetworkServerMessages.ChirpStackUp(devEui, 1, 85, decoded: new { dimLevel = 11 }, applicationId: "lights-b")));
        using HttpResponseMessage unnamed = await none.PostAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(TwinCity.Testing.NetworkServerMessages.ChirpStackUp(devEui, 2, 85, decoded: new { dimLevel = 22 }, applicationId: "lights-a")));
        using HttpResponseMessage own = await lightsA.PostAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(TwinCity.Testing.NetworkServerMessages.ChirpStackUp(devEui, 3, 85, decoded: new { dimLevel = 33 }, applicationId: "lights-a")));

        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal("application-not-allowed", (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, unnamed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        JsonElement twin = await city.GetFromJsonAsync<JsonElement>($"/api/v1/twins/streetlights/{id}");
        Assert.Equal(33, Ingest.IngestTestKit.Reported(twin, "dimLevel").GetInt32());
    }

    [Fact]
    public async Task Alerts_go_to_the_agencies_the_city_is_configured_with()
    {
        using HttpClient city = Client(SignInCity.AgencyKeys.First(k => k.Agency == "city").Key, null);
        static object Rule(string agency) => new
        {
            trigger = new { kind = "road-sensors", any = new[] { new { property = "incident", op = "==", value = (object)true } } },
            effects = new[] { new { type = "alert", agencies = new[] { agency }, text = "road closed" } },
        };

        // The press office is an agency of this city's configuration only; police is no agency here.
        using HttpResponseMessage press = await city.PutAsJsonAsync("/api/v1/rules/alert-press", Rule("press"));
        using HttpResponseMessage police = await city.PutAsJsonAsync("/api/v1/rules/alert-police", Rule("police"));

        Assert.Equal(HttpStatusCode.Created, press.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, police.StatusCode);
        string problem = await police.Content.ReadAsStringAsync();
        Assert.Contains("'police' is not an agency", problem, StringComparison.Ordinal);
        Assert.Contains("press", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_within_5_s_and_its_hub_connection_is_closed()
    {
        const string key = "signin-roads-revoke-hub-6a1f";
        fixture.AddKey("roads", key);
        using HttpClient http = Client(key, null);
        await UntilAsync(async () => (await http.GetAsync("/api/v1/twins/stats")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "the new key works");
        await using HubConnection hub = HubFor(key, null);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        await hub.StartAsync();
        await hub.InvokeAsync<JsonElement>("WatchArea", 49.84, 40.38, 49.86, 40.40);

        var clock = Stopwatch.StartNew();
        fixture.RemoveKey(key);
        await UntilAsync(async () => (await http.GetAsync("/api/v1/twins/stats")).StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(30), "the revoked key is refused");
        TimeSpan refused = clock.Elapsed;
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        TimeSpan disconnected = clock.Elapsed;

        output.WriteLine($"revoked key: refused after {refused.TotalMilliseconds:F0} ms, hub connection closed after {disconnected.TotalMilliseconds:F0} ms");
        Assert.True(refused < RevocationBudget, $"the revoked key was still accepted {refused.TotalMilliseconds:F0} ms after it was removed");
        Assert.True(disconnected < RevocationBudget, $"the revoked key's hub connection stayed open {disconnected.TotalMilliseconds:F0} ms");
        Assert.Equal(HubConnectionState.Disconnected, hub.State);
    }

    [Fact]
    public async Task A_key_past_its_expiry_is_refused_and_its_hub_connection_is_closed()
    {
        const string key = "signin-roads-expiring-0d7e";
        DateTimeOffset expires = DateTimeOffset.UtcNow.AddSeconds(6);
        fixture.AddKey("roads", key, expires: expires);
        using HttpClient http = Client(key, null);
        await UntilAsync(async () => (await http.GetAsync("/api/v1/twins/stats")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(5), "the new key works before it expires");
        await using HubConnection hub = HubFor(key, null);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        await hub.StartAsync();

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        TimeSpan late = DateTimeOffset.UtcNow - expires;
        using HttpResponseMessage after = await http.GetAsync("/api/v1/twins/stats");

        output.WriteLine($"expired key: hub connection closed {late.TotalMilliseconds:F0} ms after the expiry");
        Assert.True(late > TimeSpan.FromMilliseconds(-200), $"the connection was closed {-late.TotalMilliseconds:F0} ms before the key expired");
        Assert.True(late < RevocationBudget, $"the expired key's hub connection stayed open {late.TotalMilliseconds:F0} ms past its expiry");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("expired", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_access_file_that_does_not_validate_is_refused_and_the_last_good_keys_stay()
    {
        string cityKey = SignInCity.AgencyKeys.First(k => k.Agency == "city").Key;
        using HttpClient city = Client(cityKey, null);
        using HttpClient sesame = Client("open-sesame", null);
        Assert.Equal(HttpStatusCode.OK, (await city.GetAsync("/api/v1/twins/stats")).StatusCode);

        // A key whose hash is the key itself, for an agency the city does not have: nothing of it may apply.
        fixture.WriteRaw("{ \"Access\": { \"Keys\": [ { \"Agency\": \"police\", \"Sha256\": \"open-sesame\" } ] } }");
        await UntilAsync(async () => (await File.ReadAllTextAsync(fixture.City.LogPath)).Contains("was not applied", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the city logs the refused configuration");
        string log = await File.ReadAllTextAsync(fixture.City.LogPath);
        using HttpResponseMessage stillThere = await city.GetAsync("/api/v1/twins/stats");
        using HttpResponseMessage guessed = await sesame.GetAsync("/api/v1/twins/stats");
        fixture.Restore();

        Assert.Contains("Access:Keys:0:Agency 'police'", log, StringComparison.Ordinal);
        Assert.Contains("Access:Keys:0:Sha256", log, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, guessed.StatusCode);
    }

    private Caller[] Callers()
    {
        var callers = new List<Caller>();
        foreach ((string agency, string key) in SignInCity.AgencyKeys)
        {
            string role = agency switch { "city" => "operator", "network" => "network", _ => "agency" };
            callers.Add(new Caller(agency, $"key of {agency} (role {role})", key, null, agency, role, null));
        }

        callers.Add(new Caller("reader", "key of press, an agency of role reader (configured, not built in)", SignInCity.ReaderKey, null, "press", "reader", null));
        callers.Add(new Caller("token roads", "token from the identity provider, agency roads", null, fixture.Token("alice@roads", "roads"), "roads", "agency", null));
        callers.Add(new Caller("token roads reader", "token of roads narrowed to role reader", null, fixture.Token("bob@roads", "roads", role: "reader"), "roads", "reader", null));
        callers.Add(new Caller("no key", "no key, no token", null, null, null, null, Outcome.Unauthorized));
        callers.Add(new Caller("revoked key", "a key of roads removed from the access file", RevokedKey, null, null, null, Outcome.Unauthorized));
        callers.Add(new Caller("expired key", "a key of roads past its Expires", ExpiredKey, null, null, null, Outcome.Unauthorized));
        callers.Add(new Caller("expired token", "a token of roads past its exp", null, fixture.Token("carol@roads", "roads", expired: true), null, null, Outcome.Unauthorized));
        callers.Add(new Caller("unknown agency", "a valid token naming agency police, which the city does not have", null, fixture.Token("dave@police", "police"), null, null, Outcome.Forbidden));
        return [.. callers];
    }

    private static Outcome Expected(Access access, Caller caller)
    {
        if (access == Access.Anonymous)
        {
            return Outcome.Allowed;
        }

        if (caller.Always is Outcome always)
        {
            return always;
        }

        bool reads = caller.Role is "agency" or "operator" or "reader";
        bool allowed = access switch
        {
            Access.Reader or Access.Viewer => reads,
            Access.Operator => caller.Role == "operator",
            Access.NetworkServer => caller.Role == "network",
            Access.StreetlightCommander => caller is { Role: "agency", Agency: "azerishig" },
            Access.WaterMeterCommander => caller is { Role: "agency", Agency: "azersu" },
            Access.RoadSensorCommander => caller is { Role: "agency", Agency: "roads" },
            Access.BusCommander => caller is { Role: "agency", Agency: "transport" },
            _ => throw new ArgumentOutOfRangeException(nameof(access)),
        };
        return allowed ? Outcome.Allowed : Outcome.Forbidden;
    }

    private static Outcome OutcomeOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => Outcome.Unauthorized,
        HttpStatusCode.Forbidden => Outcome.Forbidden,
        _ => Outcome.Allowed,
    };

    private async Task<List<(string Call, string[] Cells)>> HubRowsAsync(Caller[] callers, List<string> failures)
    {
        var connect = new string[callers.Length];
        string[][] methods = [.. HubCalls.Select(_ => new string[callers.Length])];
        for (int c = 0; c < callers.Length; c++)
        {
            Caller caller = callers[c];
            Outcome expected = Expected(Access.Viewer, caller);
            await using HubConnection hub = HubFor(caller.Key, caller.Token);
            Outcome actual;
            try
            {
                await hub.StartAsync();
                connect[c] = "connects";
                actual = Outcome.Allowed;
            }
            catch (HttpRequestException ex) when (ex.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                connect[c] = ((int)ex.StatusCode).ToString(CultureInfo.InvariantCulture);
                actual = OutcomeOf(ex.StatusCode.Value);
            }

            if (actual != expected)
            {
                failures.Add($"hub connect as {caller.Column}: {connect[c]}, expected {expected}");
            }

            for (int m = 0; m < HubCalls.Length; m++)
            {
                if (actual != Outcome.Allowed)
                {
                    methods[m][c] = "–";
                    continue;
                }

                try
                {
                    await hub.InvokeCoreAsync<JsonElement>(HubCalls[m].Method, HubCalls[m].Args);
                    methods[m][c] = "ok";
                }
                catch (HubException ex) when (ex.Message.Contains("there is no twin", StringComparison.Ordinal))
                {
                    methods[m][c] = "no such twin";
                }
                catch (HubException ex)
                {
                    methods[m][c] = "refused";
                    failures.Add($"hub {HubCalls[m].Name} as {caller.Column}: {ex.Message}");
                }
            }
        }

        var rows = new List<(string, string[])> { ("hub `/hubs/city`: connect", connect) };
        rows.AddRange(HubCalls.Select((h, m) => ($"hub: `{h.Name}`", methods[m])));
        return rows;
    }

    private async Task CheckOpenApiCoversTheMatrixAsync(List<string> failures)
    {
        using HttpClient http = Client(null, null);
        using JsonDocument openApi = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty path in openApi.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (JsonProperty operation in path.Value.EnumerateObject())
            {
                documented.Add($"{operation.Name.ToUpperInvariant()} {path.Name.TrimEnd('/')}");
            }
        }

        var inMatrix = Calls.Select(c => c.Route).Where(r => !NotInOpenApi.Contains(r)).ToHashSet(StringComparer.Ordinal);
        failures.AddRange(documented.Where(d => !inMatrix.Contains(d)).Select(d => $"{d} is in the API but not in the matrix: add it with who may call it"));
        failures.AddRange(inMatrix.Where(m => !documented.Contains(m)).Select(m => $"{m} is in the matrix but not in the API"));
    }

    private static string Document(Caller[] callers, List<(string Call, string[] Cells)> rows)
    {
        var text = new StringBuilder();
        text.Append("""
            # Who may call what

            Generated by `AuthorizationMatrixTests` (tests/TwinCity.Web.Tests/Auth) from the answers of a
            real silo, over HTTP and SignalR from outside its process; the test fails when this file
            differs from what the city answers, so do not edit it by hand.

            Each cell is the HTTP status the call got. 401 and 403 are refusals by access control (as RFC
            9457 problems); any other status means access control let the call through and it is the
            endpoint's own answer to the matrix's inputs, which are deliberately empty or unknown (a body
            of `{}`, a twin, device or rule that does not exist) so that the walk changes nothing. For the
            hub, "connects" or the status of the refused negotiation, then what each method did on the
            connection ("–": there was no connection).

            A token naming an agency the city does not have is authenticated (its signature, issuer,
            audience and lifetime hold) and refused with **403**: the identity provider vouched for the
            person, the city gives that agency nothing. A key that was removed or is past its `Expires`,
            and a token past its `exp`, are **401**.

            | column | the caller |
            |---|---|

            """);
        foreach (Caller caller in callers)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {caller.Column} | {caller.Description} |\n");
        }

        text.Append('\n');
        text.Append("| call | ").AppendJoin(" | ", callers.Select(c => c.Column)).Append(" |\n");
        text.Append("|---|").AppendJoin(string.Empty, callers.Select(_ => "---|")).Append('\n');
        foreach ((string call, string[] cells) in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {call} | ").AppendJoin(" | ", cells).Append(" |\n");
        }

        return text.ToString();
    }

    private async Task ProvisionTwinAsync()
    {
        using HttpClient city = Client(SignInCity.AgencyKeys.First(k => k.Agency == "city").Key, null);
        using HttpResponseMessage response = await city.PostAsJsonAsync("/api/v1/devices", new
        {
            devEui = TwinEui, kind = "streetlights", twinId = Twin, name = Twin, lat = 40.39, lon = 49.85, codec = "milesight-ws558", reportingIntervalSeconds = 600,
        });
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"provisioning: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Adds the matrix's revoked and expired keys, sees each work, then revokes the one and lets the other expire.</summary>
    private async Task RevokeAsync()
    {
        fixture.AddKey("roads", RevokedKey);
        fixture.AddKey("roads", ExpiredKey, expires: DateTimeOffset.UtcNow.AddSeconds(4));
        using HttpClient revoked = Client(RevokedKey, null);
        using HttpClient expired = Client(ExpiredKey, null);
        await UntilAsync(async () => (await revoked.GetAsync("/api/v1/twins/stats")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "the key to revoke works first");
        Assert.Equal(HttpStatusCode.OK, (await expired.GetAsync("/api/v1/twins/stats")).StatusCode);
        fixture.RemoveKey(RevokedKey);
        await UntilAsync(async () => (await revoked.GetAsync("/api/v1/twins/stats")).StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(15), "the revoked key is refused");
        await UntilAsync(async () => (await expired.GetAsync("/api/v1/twins/stats")).StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(15), "the expired key is refused");
    }

    private async Task<HttpResponseMessage> SendAsync(Call call, Caller caller)
    {
        using HttpClient http = Client(caller.Key, caller.Token);
        using var request = new HttpRequestMessage(new HttpMethod(call.Method), call.Path);
        if (call.Method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request);
    }

    private HttpClient Client(string? key, string? token)
    {
        var http = new HttpClient { BaseAddress = fixture.City.BaseUrl };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add(TestKeys.Header, key);
        }

        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private HubConnection HubFor(string? key, string? token) => new HubConnectionBuilder()
        .WithUrl(new Uri(fixture.City.BaseUrl, key is null ? "hubs/city" : "hubs/city?access_token=" + Uri.EscapeDataString(key)), o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            if (token is not null)
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            }
        })
        .Build();

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(100);
        }
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TwinCity.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no TwinCity.sln above {AppContext.BaseDirectory}");
    }
}
