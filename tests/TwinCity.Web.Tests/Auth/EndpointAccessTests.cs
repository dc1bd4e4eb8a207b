using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TwinCity.Web.Tests.Ingest;

namespace TwinCity.Web.Tests.Auth;

/// <summary>
/// Walks every endpoint the app maps, with no key and with each agency's key, against the table of
/// API.md. An endpoint missing from the table, or mapped without a policy or an explicit anonymous
/// marker, fails the test: access is decided when an endpoint is added, not forgotten.
/// </summary>
[Collection(CityCollection.Name)]
public sealed class EndpointAccessTests(CityAppFactory city)
{
    private enum Access
    {
        Anonymous,
        Reader,
        Operator,
        Commander,
        NetworkServer,
        Viewer,
    }

    /// <summary>Who may call what: "METHOD /pattern" (group prefixes included, no trailing slash; ANY for every method).</summary>
    private static readonly Dictionary<string, Access> Table = new(StringComparer.Ordinal)
    {
        ["GET /openapi/{documentName}.json"] = Access.Anonymous,
        ["ANY /health/live"] = Access.Anonymous,
        ["ANY /health/ready"] = Access.Anonymous,
        ["ANY /metrics"] = Access.Anonymous,
        ["ANY /hubs/city/negotiate"] = Access.Viewer,
        ["ANY /hubs/city"] = Access.Viewer,
        ["GET /api/v1/twins"] = Access.Reader,
        ["GET /api/v1/twins/stats"] = Access.Reader,
        ["GET /api/v1/twins/{kind}/{id}"] = Access.Reader,
        ["GET /api/v1/twins/{kind}/{id}/history"] = Access.Reader,
        ["GET /api/v1/twins/{kind}/{id}/commands/{commandId}"] = Access.Reader,
        ["POST /api/v1/twins/{kind}/{id}/commands"] = Access.Commander,
        ["GET /api/v1/city"] = Access.Reader,
        ["GET /api/v1/audit"] = Access.Reader,
        ["POST /api/v1/devices"] = Access.Operator,
        ["POST /api/v1/devices/import"] = Access.Operator,
        ["GET /api/v1/devices/{devEui}"] = Access.Operator,
        ["DELETE /api/v1/devices/{devEui}"] = Access.Operator,
        ["GET /api/v1/cluster"] = Access.Operator,
        ["GET /api/v1/rules"] = Access.Operator,
        ["GET /api/v1/rules/{id}"] = Access.Operator,
        ["PUT /api/v1/rules/{id}"] = Access.Operator,
        ["DELETE /api/v1/rules/{id}"] = Access.Operator,
        ["GET /api/v1/rules/{id}/firings"] = Access.Operator,
        ["GET /api/v1/ingest/stats"] = Access.Operator,
        ["GET /api/v1/ingest/dead-letters"] = Access.Operator,
        ["POST /api/v1/ingest/chirpstack"] = Access.NetworkServer,
        ["POST /api/v1/ingest/tts"] = Access.NetworkServer,
    };

    private static readonly (string Agency, string Key)[] Keys =
    [
        ("azerishig", TestKeys.Azerishig),
        ("azersu", TestKeys.Azersu),
        ("roads", TestKeys.Roads),
        ("transport", TestKeys.Transport),
        ("city", TestKeys.City),
        ("network", TestKeys.Network),
    ];

    private static readonly (string Kind, string Owner)[] Kinds =
    [
        ("streetlights", "azerishig"),
        ("water-meters", "azersu"),
        ("road-sensors", "roads"),
        ("buses", "transport"),
    ];

    [Fact]
    public void Every_endpoint_names_a_policy_or_is_explicitly_anonymous_and_is_in_the_table()
    {
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, Endpoint endpoint) in Endpoints())
        {
            seen.Add(name);
            bool anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            string[] policies = [.. endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "(default)")];
            if (!anonymous && policies.Length == 0)
            {
                problems.Add($"{name} has neither a policy nor AllowAnonymous");
            }

            if (!Table.TryGetValue(name, out Access access))
            {
                problems.Add($"{name} is not in the access table of this test: add it with who may call it");
            }
            else if ((access == Access.Anonymous) != anonymous)
            {
                problems.Add($"{name} is {(anonymous ? string.Empty : "not ")}anonymous, the table says {access}");
            }
        }

        problems.AddRange(Table.Keys.Where(k => !seen.Contains(k)).Select(k => $"{k} is in the table but the app maps no such endpoint"));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task Every_endpoint_answers_each_key_as_the_access_table_says()
    {
        var failures = new List<string>();
        int checkedCalls = 0;
        foreach ((string name, _) in Endpoints())
        {
            if (!Table.TryGetValue(name, out Access access))
            {
                continue; // The other test names it.
            }

            string method = name[..name.IndexOf(' ', StringComparison.Ordinal)];
            method = method == "ANY" ? "GET" : method;
            string pattern = name[(name.IndexOf(' ', StringComparison.Ordinal) + 1)..];
            IEnumerable<(string Path, string? Owner)> paths = pattern.Contains("{kind}", StringComparison.Ordinal)
                ? Kinds.Select(k => (Fill(pattern, k.Kind), (string?)k.Owner))
                : [(Fill(pattern, "streetlights"), null)];

            foreach ((string path, string? owner) in paths)
            {
                foreach ((string? agency, string? key) in Keys.Select(k => ((string?)k.Agency, (string?)k.Key)).Prepend((null, null)))
                {
                    HttpStatusCode expected = Expected(access, agency, owner);
                    using HttpResponseMessage response = await SendAsync(method, path, key);
                    checkedCalls++;
                    HttpStatusCode actual = response.StatusCode;
                    bool ok = expected switch
                    {
                        HttpStatusCode.OK => actual is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                        _ => actual == expected,
                    };
                    if (!ok)
                    {
                        failures.Add($"{method} {path} with {agency ?? "no key"}: {(int)actual}, expected {(expected == HttpStatusCode.OK ? "neither 401 nor 403" : ((int)expected).ToString(CultureInfo.InvariantCulture))}");
                    }
                    else if (expected != HttpStatusCode.OK)
                    {
                        // Refusals are problem details, and say nothing about the resource asked for.
                        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
                        Assert.DoesNotContain("AUTHWALK", problem.GetProperty("detail").GetString() ?? string.Empty, StringComparison.Ordinal);
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(checkedCalls > 100, $"only {checkedCalls} calls were checked");
    }

    [Fact]
    public async Task A_refused_command_is_the_same_whether_the_twin_exists_or_not()
    {
        using HttpClient operatorClient = city.CreateClient();
        (_, string existing) = await IngestTestKit.ProvisionAsync(operatorClient, "streetlights", "milesight-ws558", "SLA");
        string missing = "SLA-missing-" + Guid.NewGuid().ToString("N")[..8];

        using HttpClient water = city.ClientWithKey(TestKeys.Azersu);
        using HttpClient nobody = city.ClientWithKey(null);
        foreach (HttpClient client in new[] { water, nobody })
        {
            HttpResponseMessage forExisting = await client.PostAsJsonAsync($"/api/v1/twins/streetlights/{existing}/commands", new { name = "dim", args = new { level = 5 } });
            HttpResponseMessage forMissing = await client.PostAsJsonAsync($"/api/v1/twins/streetlights/{missing}/commands", new { name = "dim", args = new { level = 5 } });
            Assert.Equal(forExisting.StatusCode, forMissing.StatusCode);
            Assert.True(forExisting.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{forExisting.StatusCode}");
            Assert.Equal(
                (await forExisting.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(),
                (await forMissing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        JsonElement twin = await IngestTestKit.GetTwinAsync(operatorClient, "streetlights", existing);
        Assert.Empty(twin.GetProperty("desired").EnumerateObject());
    }

    [Fact]
    public async Task An_unknown_key_is_401_and_names_no_key()
    {
        using HttpClient client = city.ClientWithKey("dev-city-but-wrong");

        HttpResponseMessage response = await client.GetAsync("/api/v1/twins/stats");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        string body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("dev-city", body, StringComparison.Ordinal);
        Assert.Contains("X-Api-Key", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hub_takes_the_key_from_access_token_and_refuses_a_wrong_one()
    {
        using HttpClient anonymous = city.ClientWithKey(null);

        HttpResponseMessage withReader = await anonymous.PostAsync($"/hubs/city/negotiate?negotiateVersion=1&access_token={TestKeys.Roads}", null);
        HttpResponseMessage withNetwork = await anonymous.PostAsync($"/hubs/city/negotiate?negotiateVersion=1&access_token={TestKeys.Network}", null);
        HttpResponseMessage withWrong = await anonymous.PostAsync("/hubs/city/negotiate?negotiateVersion=1&access_token=nope", null);
        HttpResponseMessage withNone = await anonymous.PostAsync("/hubs/city/negotiate?negotiateVersion=1", null);

        Assert.Equal(HttpStatusCode.OK, withReader.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withNetwork.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withWrong.StatusCode);
        // The embedded city lets the map's viewers in without a key.
        Assert.Equal(HttpStatusCode.OK, withNone.StatusCode);
    }

    private static HttpStatusCode Expected(Access access, string? agency, string? owner) => access switch
    {
        Access.Anonymous => HttpStatusCode.OK,
        Access.Viewer => agency == "network" ? HttpStatusCode.Forbidden : HttpStatusCode.OK,
        _ when agency is null => HttpStatusCode.Unauthorized,
        Access.Reader => agency == "network" ? HttpStatusCode.Forbidden : HttpStatusCode.OK,
        Access.Operator => agency == "city" ? HttpStatusCode.OK : HttpStatusCode.Forbidden,
        Access.NetworkServer => agency == "network" ? HttpStatusCode.OK : HttpStatusCode.Forbidden,
        Access.Commander => agency == owner ? HttpStatusCode.OK : HttpStatusCode.Forbidden,
        _ => throw new ArgumentOutOfRangeException(nameof(access)),
    };

    private IEnumerable<(string Name, Endpoint Endpoint)> Endpoints()
    {
        EndpointDataSource source = city.Services.GetRequiredService<EndpointDataSource>();
        foreach (Endpoint endpoint in source.Endpoints)
        {
            string pattern = endpoint is RouteEndpoint route ? "/" + (route.RoutePattern.RawText ?? string.Empty).Trim('/') : endpoint.DisplayName ?? "?";
            IReadOnlyList<string> methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            foreach (string method in methods.Count == 0 ? ["ANY"] : methods)
            {
                yield return ($"{method} {pattern}", endpoint);
            }
        }
    }

    private static string Fill(string pattern, string kind) => pattern
        .Replace("{kind}", kind, StringComparison.Ordinal)
        .Replace("{id}", "AUTHWALK-" + Guid.NewGuid().ToString("N")[..8], StringComparison.Ordinal)
        .Replace("{commandId}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("{devEui}", IngestTestKit.NewDevEui(), StringComparison.Ordinal)
        .Replace("{documentName}", "v1", StringComparison.Ordinal);

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string? key)
    {
        using HttpClient client = city.ClientWithKey(key);
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            // An empty object: whoever gets past access control hears 400, and nothing changes.
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }
}
