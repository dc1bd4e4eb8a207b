using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TwinCity.Web.Tests.Abuse;

/// <summary>
/// What people send to an API when they are careless or hostile, against the real city behind
/// Kestrel: each is refused with the right status and a problem document that says what was
/// wrong, never a stack trace, and the city goes on answering.
/// </summary>
public sealed class ApiAbuseTests(AbusedCity fixture) : IClassFixture<AbusedCity>
{
    private const string CityKey = "dev-city";
    private const string LampKey = "dev-azerishig";
    private const string NetworkKey = "dev-network";

    public static TheoryData<string, HttpStatusCode, string> BadReads => new()
    {
        { "/api/v1/twins?limit=99999999999", HttpStatusCode.BadRequest, "limit" },
        { "/api/v1/twins?limit=-5", HttpStatusCode.BadRequest, "limit" },
        { "/api/v1/twins?limit=abc", HttpStatusCode.BadRequest, "limit" },
        { "/api/v1/twins?bbox=1,2,3", HttpStatusCode.BadRequest, "bbox" },
        { "/api/v1/twins?bbox=NaN,40,50,41", HttpStatusCode.BadRequest, "number" },
        { "/api/v1/twins?bbox=49.9,40.4,49.8,40.3", HttpStatusCode.BadRequest, "min" },
        { "/api/v1/twins?bbox=-180,-90,180,90", HttpStatusCode.BadRequest, "cells" },
        { "/api/v1/twins?kind=unicorns", HttpStatusCode.BadRequest, "kind" },
        { "/api/v1/twins?kind=%27;DROP%20TABLE%20twins;--", HttpStatusCode.BadRequest, "kind" },
        { "/api/v1/twins?cursor=%27%20OR%201=1", HttpStatusCode.BadRequest, "cursor" },
        { "/api/v1/twins/unicorns/U-1", HttpStatusCode.NotFound, "kind" },
        { "/api/v1/twins/streetlights/..%2F..%2Fetc%2Fpasswd", HttpStatusCode.BadRequest, "twin id" },
        { "/api/v1/twins/streetlights/SL%27%20OR%201=1--", HttpStatusCode.BadRequest, "twin id" },
        { "/api/v1/devices/70B3D57ED001002A%27--", HttpStatusCode.BadRequest, "DevEUI" },
        { "/api/v1/twins/streetlights/SL-0001/history?from=yesterday", HttpStatusCode.BadRequest, "from" },
    };

    [Theory]
    [MemberData(nameof(BadReads))]
    public async Task Bad_query_or_path_is_refused_with_a_problem_that_says_what(string path, HttpStatusCode expected, string mentions)
    {
        using HttpClient http = Client(CityKey);

        using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative));

        await AssertProblemAsync(response, expected, mentions);
    }

    [Fact]
    public async Task Id_far_too_long_is_refused_without_echoing_all_of_it()
    {
        using HttpClient http = Client(CityKey);
        // Under Kestrel's 8 KB request line, past which Kestrel itself answers 414 before the app sees it.
        string id = new('A', 5_000);

        using HttpResponseMessage response = await http.GetAsync(new Uri($"/api/v1/twins/streetlights/{id}", UriKind.Relative));

        string body = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "twin id");
        Assert.True(body.Length < 1_000, $"the problem is {body.Length} characters long");
    }

    [Fact]
    public async Task Deep_json_is_refused_as_bad_json()
    {
        using HttpClient http = Client(LampKey);
        // 8 KB: deep far past the parser's limit, small enough for the commands' body limit (16 KB).
        string deep = new string('[', 4_000) + new string(']', 4_000);

        using HttpResponseMessage command = await http.PostAsync(new Uri("/api/v1/twins/streetlights/SL-0001/commands", UriKind.Relative), Json(deep));
        using HttpResponseMessage device = await Client(CityKey).PostAsync(new Uri("/api/v1/devices", UriKind.Relative), Json(deep));

        await AssertProblemAsync(command, HttpStatusCode.BadRequest, "depth");
        await AssertProblemAsync(device, HttpStatusCode.BadRequest, "depth");
    }

    [Fact]
    public async Task Oversized_bodies_are_413_problems()
    {
        using HttpClient http = Client(CityKey);
        // As a careful client does with a large body: wait for the server's go-ahead, so that the
        // refusal arrives as an answer instead of a connection reset halfway through the upload.
        http.DefaultRequestHeaders.ExpectContinue = true;
        string huge = "{\"name\":\"" + new string('A', 31_000_000) + "\"}";
        string large = "{\"deviceInfo\":{\"devEui\":\"" + new string('0', 2_000_000) + "\"}}";

        using HttpResponseMessage device = await http.PostAsync(new Uri("/api/v1/devices", UriKind.Relative), Json(huge));
        using HttpClient network = Client(NetworkKey);
        network.DefaultRequestHeaders.ExpectContinue = true;
        using HttpResponseMessage uplink = await network.PostAsync(new Uri("/api/v1/ingest/tts", UriKind.Relative), Json(large));

        await AssertProblemAsync(device, HttpStatusCode.RequestEntityTooLarge, "too large");
        await AssertProblemAsync(uplink, HttpStatusCode.RequestEntityTooLarge, "larger");
    }

    [Fact]
    public async Task Bad_command_arguments_are_refused_naming_the_argument()
    {
        using HttpClient http = Client(LampKey);

        using HttpResponseMessage infinite = await http.PostAsync(new Uri("/api/v1/twins/streetlights/SL-0001/commands", UriKind.Relative), Json("""{"name":"dim","args":{"level":1e999}}"""));
        using HttpResponseMessage sql = await http.PostAsync(new Uri("/api/v1/twins/streetlights/SL-0001/commands", UriKind.Relative), Json("""{"name":"dim'; DROP TABLE commands;--","args":{}}"""));
        using HttpResponseMessage notJson = await http.PostAsync(new Uri("/api/v1/twins/streetlights/SL-0001/commands", UriKind.Relative), Json("dim to 50 please"));
        using HttpResponseMessage notText = await http.PostAsync(new Uri("/api/v1/twins/streetlights/SL-0001/commands", UriKind.Relative), Json("""{"name":"dim\uD800","args":{"level":5}}"""));
        using HttpResponseMessage badDevice = await Client(CityKey).PostAsync(new Uri("/api/v1/devices", UriKind.Relative), Json("""{"devEui":"70B3D57ED0FF0001","kind":"streetlights","twinId":"SL-9","name":"\uDC00","lat":40.4,"lon":49.8,"codec":"milesight-ws558","reportingIntervalSeconds":600}"""));

        await AssertProblemAsync(infinite, HttpStatusCode.BadRequest, "level");
        await AssertProblemAsync(sql, HttpStatusCode.BadRequest, "dim'; DROP");
        await AssertProblemAsync(notJson, HttpStatusCode.BadRequest, "JSON");
        await AssertProblemAsync(notText, HttpStatusCode.BadRequest, "not valid text");
        await AssertProblemAsync(badDevice, HttpStatusCode.BadRequest, "not valid text");
    }

    [Fact]
    public async Task City_keeps_answering_and_logs_no_key_after_the_abuse()
    {
        const string secret = "wrong-key-5f2b8c1e";
        using HttpClient stranger = Client(secret);
        for (int i = 0; i < 20; i++)
        {
            using HttpResponseMessage _ = await stranger.GetAsync(new Uri($"/api/v1/twins?limit=x{i}", UriKind.Relative));
        }

        using HttpClient http = Client(CityKey);
        using HttpResponseMessage twin = await http.GetAsync(new Uri("/api/v1/twins/streetlights/SL-0001", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, twin.StatusCode);

        string log = await File.ReadAllTextAsync(fixture.City.LogPath);
        Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        Assert.DoesNotContain(CityKey, log, StringComparison.Ordinal);
        Assert.DoesNotContain(LampKey, log, StringComparison.Ordinal);
        Assert.DoesNotContain(NetworkKey, log, StringComparison.Ordinal);
    }

    private HttpClient Client(string key)
    {
        var http = new HttpClient { BaseAddress = fixture.City.BaseUrl, Timeout = TimeSpan.FromMinutes(1) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string mentions)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument problem = JsonDocument.Parse(body);
        Assert.Equal((int)expected, problem.RootElement.GetProperty("status").GetInt32());
        string text = problem.RootElement.TryGetProperty("detail", out JsonElement detail) ? detail.GetString() ?? string.Empty : string.Empty;
        Assert.Contains(mentions, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        return body;
    }
}
