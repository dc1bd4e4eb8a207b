using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TwinCity.Testing;
using static TwinCity.Web.Tests.Ingest.IngestTestKit;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>
/// Network servers speak only for their own applications, and what they send must be plausible:
/// from outside, over the HTTP integration and the broker.
/// </summary>
public sealed class ScopedIngestTests : IClassFixture<ScopedNetworkCity>
{
    private readonly ScopedNetworkCity _city;
    private readonly HttpClient _http;

    public ScopedIngestTests(ScopedNetworkCity city)
    {
        _city = city;
        _http = city.CreateClient();
    }

    [Fact]
    public async Task Network_key_for_application_A_cannot_move_a_device_of_application_B()
    {
        await WaitReadyAsync(_http);
        (string devEui, string id) = await ProvisionAsync(_http, "streetlights", "milesight-ws558", "SLS");
        HttpResponseMessage first = await _http.PostIngestAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(NetworkServerMessages.ChirpStackUp(devEui, 5, 85, decoded: new { on = true, dimLevel = 30 }, applicationId: ScopedNetworkCity.ApplicationB)));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        JsonElement before = await GetTwinAsync(_http, "streetlights", id);

        using HttpClient networkA = _city.ClientWithKey(ScopedNetworkCity.NetworkKeyA);
        HttpResponseMessage asB = await networkA.PostAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(NetworkServerMessages.ChirpStackUp(devEui, 6, 85, decoded: new { on = false, dimLevel = 0 }, applicationId: ScopedNetworkCity.ApplicationB)));
        HttpResponseMessage asA = await networkA.PostAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(NetworkServerMessages.ChirpStackUp(devEui, 7, 85, decoded: new { on = false, dimLevel = 0 }, applicationId: ScopedNetworkCity.ApplicationA)));

        Assert.Equal(HttpStatusCode.Forbidden, asB.StatusCode);
        Assert.Equal("application-not-allowed", (await asB.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, asA.StatusCode);
        Assert.Equal("application-mismatch", (await asA.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        JsonElement after = await GetTwinAsync(_http, "streetlights", id);
        Assert.Equal(before.GetProperty("version").GetInt64(), after.GetProperty("version").GetInt64());
        Assert.Equal(30, Reported(after, "dimLevel").GetInt32());
        Assert.Equal(5, after.GetProperty("radio").GetProperty("fCnt").GetInt64());

        JsonElement letters = await _http.GetFromJsonAsync<JsonElement>("/api/v1/ingest/dead-letters?limit=1000");
        string[] reasons = [.. letters.GetProperty("items").EnumerateArray().Where(l => l.GetProperty("devEui").GetString() == devEui).Select(l => l.GetProperty("reason").GetString()!)];
        Assert.Contains("application-not-allowed", reasons);
        Assert.Contains("application-mismatch", reasons);

        // Its own application's devices it moves as before.
        (string devA, string idA) = await ProvisionAsync(_http, "streetlights", "milesight-ws558", "SLS");
        HttpResponseMessage own = await networkA.PostAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(NetworkServerMessages.ChirpStackUp(devA, 1, 85, decoded: new { on = true, dimLevel = 77 }, applicationId: ScopedNetworkCity.ApplicationA)));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(77, Reported(await GetTwinAsync(_http, "streetlights", idA), "dimLevel").GetInt32());
    }

    [Fact]
    public async Task Broker_events_of_an_application_the_connection_does_not_take_are_dead_lettered()
    {
        await WaitReadyAsync(_http);
        (string devEui, string id) = await ProvisionAsync(_http, "streetlights", "milesight-ws558", "SLM");
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(_city.MqttPort);

        await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui, "lights-c"),
            NetworkServerMessages.ChirpStackUp(devEui, 1, 85, decoded: new { dimLevel = 10 }, applicationId: "lights-c"));
        await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui, ScopedNetworkCity.ApplicationA),
            NetworkServerMessages.ChirpStackUp(devEui, 2, 85, decoded: new { dimLevel = 20 }, applicationId: ScopedNetworkCity.ApplicationB));
        await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui, ScopedNetworkCity.ApplicationA),
            NetworkServerMessages.ChirpStackUp(devEui, 3, 85, decoded: new { dimLevel = 33 }, applicationId: ScopedNetworkCity.ApplicationA));

        JsonElement twin = await WaitForTwinAsync(_http, "streetlights", id, t => HasReported(t, "dimLevel"));
        Assert.Equal(33, Reported(twin, "dimLevel").GetInt32());
        JsonElement letters = await _http.GetFromJsonAsync<JsonElement>("/api/v1/ingest/dead-letters?limit=1000");
        JsonElement[] mine = [.. letters.GetProperty("items").EnumerateArray().Where(l => l.GetProperty("devEui").GetString() == devEui)];
        Assert.Contains(mine, l => l.GetProperty("reason").GetString() == "application-not-allowed" && l.GetProperty("topic").GetString()!.Contains("lights-c", StringComparison.Ordinal));
        Assert.Contains(mine, l => l.GetProperty("reason").GetString() == "application-mismatch");
    }

    [Fact]
    public async Task Frame_counter_jump_and_future_time_are_dead_lettered_and_the_next_real_frame_applies()
    {
        await WaitReadyAsync(_http);
        (string devEui, string id) = await ProvisionAsync(_http, "streetlights", "milesight-ws558", "SLP");
        Assert.Equal(HttpStatusCode.OK, (await PostUpAsync(NetworkServerMessages.ChirpStackUp(devEui, 100, 85, decoded: new { dimLevel = 40 }))).StatusCode);
        JsonElement before = await GetTwinAsync(_http, "streetlights", id);

        HttpResponseMessage jump = await PostUpAsync(NetworkServerMessages.ChirpStackUp(devEui, 0xFFFFFFFF, 85, decoded: new { dimLevel = 1 }));
        HttpResponseMessage future = await PostUpAsync(NetworkServerMessages.ChirpStackUp(devEui, 101, 85, decoded: new { dimLevel = 2 }, time: DateTime.UtcNow.AddHours(6)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, jump.StatusCode);
        Assert.Equal("implausible-frame-counter", (await jump.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, future.StatusCode);
        Assert.Equal("implausible-time", (await future.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        JsonElement unchanged = await GetTwinAsync(_http, "streetlights", id);
        Assert.Equal(before.GetProperty("version").GetInt64(), unchanged.GetProperty("version").GetInt64());
        Assert.Equal(before.GetProperty("lastSeen").GetString(), unchanged.GetProperty("lastSeen").GetString());

        HttpResponseMessage next = await PostUpAsync(NetworkServerMessages.ChirpStackUp(devEui, 101, 85, decoded: new { dimLevel = 60 }));

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Contains("\"applied\"", await next.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        JsonElement after = await GetTwinAsync(_http, "streetlights", id);
        Assert.Equal(60, Reported(after, "dimLevel").GetInt32());
        Assert.Equal(101, after.GetProperty("radio").GetProperty("fCnt").GetInt64());
    }

    [Theory]
    [InlineData("city+lights")]
    [InlineData("a/b")]
    [InlineData("#")]
    public async Task Ids_that_could_name_another_topic_are_refused_before_they_reach_a_twin(string applicationId)
    {
        await WaitReadyAsync(_http);
        (string devEui, _) = await ProvisionAsync(_http, "streetlights", "milesight-ws558", "SLI");

        HttpResponseMessage response = await _http.PostIngestAsync("/api/v1/ingest/tts",
            new StringContent(NetworkServerMessages.TheThingsStackUp("light-1", devEui, 1, 85, decoded: new { dimLevel = 5 }, applicationId: applicationId)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("application id may hold only", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> PostUpAsync(string body) =>
        _http.PostIngestAsync("/api/v1/ingest/chirpstack?event=up", new StringContent(body));
}
