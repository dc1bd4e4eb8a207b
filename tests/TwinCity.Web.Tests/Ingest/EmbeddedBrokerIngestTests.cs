using System.Text.Json;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Testing;
using static TwinCity.Web.Tests.Ingest.IngestTestKit;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>The embedded city's in-process broker takes uplinks from any MQTT client, as mosquitto does.</summary>
[Collection(CityCollection.Name)]
public sealed class EmbeddedBrokerIngestTests(CityAppFactory city)
{
    private readonly HttpClient _http = city.CreateClient();

    [Fact]
    public async Task Bus_uplink_published_to_the_embedded_broker_moves_the_bus()
    {
        await WaitReadyAsync(_http);
        (string devEui, string id) = await ProvisionAsync(_http, "buses", "dragino-lgt92", "BUS");
        (byte[] payload, int fPort) = DraginoLgt92Codec.EncodeLocation(40.41234, 49.90123, 3.9);
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(city.MqttPort);

        await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui), NetworkServerMessages.ChirpStackUp(devEui, 1, fPort, payload));

        JsonElement twin = await WaitForTwinAsync(_http, "buses", id, t => HasReported(t, "lat"));
        Assert.Equal(40.41234, twin.GetProperty("position").GetProperty("lat").GetDouble(), 5);
        Assert.Equal(49.90123, twin.GetProperty("position").GetProperty("lon").GetDouble(), 5);
        Assert.InRange(Reported(twin, "batteryPct").GetDouble(), 70, 80);
    }

    [Fact]
    public async Task Http_integration_answers_after_the_twin_applied_and_refuses_bad_input_with_problems()
    {
        (string devEui, string id) = await ProvisionAsync(_http, "streetlights", "milesight-ws558", "SLH");
        string up = NetworkServerMessages.ChirpStackUp(devEui, 4, 85, decoded: new { on = true, dimLevel = 55 });

        HttpResponseMessage applied = await _http.PostIngestAsync("/api/v1/ingest/chirpstack?event=up", new StringContent(up));
        HttpResponseMessage again = await _http.PostIngestAsync("/api/v1/ingest/chirpstack?event=up", new StringContent(up));

        Assert.Equal(System.Net.HttpStatusCode.OK, applied.StatusCode);
        Assert.Contains("\"applied\"", await applied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"duplicate\"", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(55, Reported(await GetTwinAsync(_http, "streetlights", id), "dimLevel").GetInt32());

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await _http.PostIngestAsync("/api/v1/ingest/chirpstack?event=up", new StringContent("{nope"))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await _http.PostIngestAsync("/api/v1/ingest/chirpstack?event=teleport", new StringContent(up))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await _http.PostIngestAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(NetworkServerMessages.ChirpStackUp(NewDevEui(), 1, 85, decoded: new { on = true })))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, (await _http.PostIngestAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(NetworkServerMessages.ChirpStackUp(devEui, 9, 85, decoded: new { valve = "closed", leak = true })))).StatusCode);
    }

    [Fact]
    public async Task Join_resets_the_frame_counter_and_status_events_update_battery()
    {
        (string devEui, string id) = await ProvisionAsync(_http, "water-meters", "axioma-qalcosonic-w1", "WMJ");
        await Post("up", NetworkServerMessages.ChirpStackUp(devEui, 900, 100, decoded: new { volumeM3 = 10.5 }));
        await Post("up", NetworkServerMessages.ChirpStackUp(devEui, 1, 100, decoded: new { volumeM3 = 99.0 }));
        Assert.Equal(10.5, Reported(await GetTwinAsync(_http, "water-meters", id), "volumeM3").GetDouble());

        await Post("join", $$"""{"deduplicationId":"{{Guid.NewGuid()}}","time":"{{DateTime.UtcNow:O}}","deviceInfo":{"applicationId":"city","devEui":"{{devEui}}"},"devAddr":"01ab02cd"}""");
        await Post("up", NetworkServerMessages.ChirpStackUp(devEui, 1, 100, decoded: new { volumeM3 = 11.0 }));
        await Post("status", $$"""{"deduplicationId":"{{Guid.NewGuid()}}","time":"{{DateTime.UtcNow:O}}","deviceInfo":{"applicationId":"city","devEui":"{{devEui}}"},"margin":7,"externalPowerSource":false,"batteryLevel":61.5}""");
        await Post("log", $$"""{"time":"{{DateTime.UtcNow:O}}","deviceInfo":{"applicationId":"city","devEui":"{{devEui}}"},"level":"ERROR","code":"UPLINK_CODEC","description":"js vm error","context":{"deduplication_id":"x"} }""");

        JsonElement twin = await GetTwinAsync(_http, "water-meters", id);
        Assert.Equal(11.0, Reported(twin, "volumeM3").GetDouble());
        Assert.Equal(1, twin.GetProperty("radio").GetProperty("fCnt").GetInt32());
        Assert.Equal(61.5, Reported(twin, "batteryPct").GetDouble());
        JsonElement log = Assert.Single(twin.GetProperty("log").EnumerateArray());
        Assert.Equal("UPLINK_CODEC", log.GetProperty("code").GetString());
    }

    private async Task Post(string eventName, string body)
    {
        HttpResponseMessage response = await _http.PostIngestAsync($"/api/v1/ingest/chirpstack?event={eventName}", new StringContent(body));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
