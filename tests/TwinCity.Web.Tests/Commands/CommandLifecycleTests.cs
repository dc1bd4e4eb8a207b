using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Testing;
using TwinCity.Web.Tests.Ingest;
using static TwinCity.Web.Tests.Ingest.IngestTestKit;

namespace TwinCity.Web.Tests.Commands;

/// <summary>Commands end to end through a real mosquitto: API → downlink → network-server events → uplink.</summary>
[Collection(MosquittoCityCollection.Name)]
public sealed class CommandLifecycleTests(MosquittoCity fixture)
{
    private readonly HttpClient _city = fixture.City.CreateClient();

    [Fact]
    public async Task Command_goes_pending_sent_acked_confirmed_with_the_device_codec_bytes_on_the_chirpstack_topic()
    {
        (string devEui, string id) = await HeardStreetlightAsync();
        await using TestSubscriber network = await TestSubscriber.ConnectAsync(fixture.Broker.Port, "application/+/device/+/command/down");
        using HttpClient electricity = AgencyClient("dev-azerishig");

        JsonElement command = await IssueAsync(electricity, id, new { name = "switch", args = new { on = false }, ttlSeconds = 60 });

        string commandId = command.GetProperty("id").GetString()!;
        (string topic, byte[] payload) = await network.WaitForAsync((t, p) => Encoding.UTF8.GetString(p).Contains(commandId, StringComparison.Ordinal));
        Assert.Equal($"application/city/device/{devEui.ToLowerInvariant()}/command/down", topic);
        JsonElement downlink = JsonDocument.Parse(payload).RootElement;
        Assert.Equal(85, downlink.GetProperty("fPort").GetInt32());
        Assert.Equal(MilesightWs558Codec.EncodeSwitch(false), Convert.FromBase64String(downlink.GetProperty("data").GetString()!));
        Assert.True(downlink.GetProperty("confirmed").GetBoolean());
        await WaitForStatusAsync(id, commandId, "sent");
        JsonElement twin = await GetTwinAsync(_city, "streetlights", id);
        Assert.False(twin.GetProperty("delta").GetProperty("on").GetBoolean());

        await using TestPublisher chirpstack = await TestPublisher.ConnectAsync(fixture.Broker.Port);
        await chirpstack.PublishAsync(NetworkServerMessages.ChirpStackTopic(devEui, "ack"),
            $$"""{"deduplicationId":"{{Guid.NewGuid()}}","time":"{{DateTime.UtcNow:O}}","deviceInfo":{"applicationId":"city","devEui":"{{devEui.ToLowerInvariant()}}"},"queueItemId":"{{commandId}}","acknowledged":true,"fCntDown":3}""");
        await WaitForStatusAsync(id, commandId, "acked");

        (byte[] report, int port) = MilesightWs558Codec.Encode(230, 0, 0, 1000, on: false);
        await chirpstack.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui), NetworkServerMessages.ChirpStackUp(devEui, 2, port, report));
        await WaitForStatusAsync(id, commandId, "confirmed");
        twin = await GetTwinAsync(_city, "streetlights", id);
        Assert.Empty(twin.GetProperty("delta").EnumerateObject());
    }

    [Fact]
    public async Task Command_without_a_device_encoder_is_sent_as_the_decoded_object_and_fails_on_a_nack()
    {
        (string devEui, string id) = await HeardStreetlightAsync();
        await using TestSubscriber network = await TestSubscriber.ConnectAsync(fixture.Broker.Port, "application/+/device/+/command/down");
        using HttpClient electricity = AgencyClient("dev-azerishig");

        JsonElement command = await IssueAsync(electricity, id, new { name = "dim", args = new { level = 40 } });
        string commandId = command.GetProperty("id").GetString()!;
        (_, byte[] payload) = await network.WaitForAsync((t, p) => Encoding.UTF8.GetString(p).Contains(commandId, StringComparison.Ordinal));
        JsonElement decoded = JsonDocument.Parse(payload).RootElement.GetProperty("object");
        Assert.Equal("dim", decoded.GetProperty("command").GetString());
        Assert.Equal(40, decoded.GetProperty("level").GetInt32());

        await using TestPublisher chirpstack = await TestPublisher.ConnectAsync(fixture.Broker.Port);
        await chirpstack.PublishAsync(NetworkServerMessages.ChirpStackTopic(devEui, "ack"),
            $$"""{"deviceInfo":{"applicationId":"city","devEui":"{{devEui}}"},"queueItemId":"{{commandId}}","acknowledged":false}""");

        JsonElement failed = await WaitForStatusAsync(id, commandId, "failed");
        Assert.Contains("did not acknowledge", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Downlink_carries_exactly_the_validated_arguments_and_an_argument_cannot_rename_the_command()
    {
        (string devEui, string id) = await HeardStreetlightAsync();
        await using TestSubscriber network = await TestSubscriber.ConnectAsync(fixture.Broker.Port, "application/+/device/+/command/down");
        using HttpClient electricity = AgencyClient("dev-azerishig");

        HttpResponseMessage smuggled = await PostCommandAsync(electricity, id, new Dictionary<string, object> { ["name"] = "dim", ["args"] = new Dictionary<string, object> { ["level"] = 50, ["command"] = "other", ["extra"] = 1 } });
        Assert.Equal(HttpStatusCode.BadRequest, smuggled.StatusCode);
        Assert.Contains("'args.command', 'args.extra' are not arguments of dim; it takes only level", (await smuggled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        JsonElement command = await IssueAsync(electricity, id, new { name = "dim", args = new { level = 50 } });
        string commandId = command.GetProperty("id").GetString()!;
        (string topic, byte[] payload) = await network.WaitForAsync((t, p) => Encoding.UTF8.GetString(p).Contains(commandId, StringComparison.Ordinal));

        Assert.Equal($"application/city/device/{devEui.ToLowerInvariant()}/command/down", topic);
        JsonElement decoded = JsonDocument.Parse(payload).RootElement.GetProperty("object");
        Assert.Equal(["command", "dimLevel", "level"], decoded.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("dim", decoded.GetProperty("command").GetString());
        Assert.Equal(50, decoded.GetProperty("level").GetDouble());
        Assert.Equal(50, decoded.GetProperty("dimLevel").GetDouble());

        // Nothing of the refused command went out: the only downlink for this device is the valid one.
        await Task.Delay(500);
        Assert.Single(network.Messages, m => m.Topic == topic);
    }

    [Fact]
    public async Task Chirpstack_error_log_about_the_downlink_fails_the_command()
    {
        (string devEui, string id) = await HeardStreetlightAsync();
        using HttpClient electricity = AgencyClient("dev-azerishig");
        JsonElement command = await IssueAsync(electricity, id, new { name = "dim", args = new { level = 10 } });
        string commandId = command.GetProperty("id").GetString()!;
        await WaitForStatusAsync(id, commandId, "sent");

        HttpResponseMessage log = await _city.PostIngestAsync("/api/v1/ingest/chirpstack?event=log", new StringContent(
            $$"""{"time":"{{DateTime.UtcNow:O}}","deviceInfo":{"applicationId":"city","devEui":"{{devEui}}"},"level":"ERROR","code":"DOWNLINK_PAYLOAD_SIZE","description":"payload exceeds max size","context":{"queue_item_id":"{{commandId}}"} }"""));
        Assert.Equal(HttpStatusCode.OK, log.StatusCode);

        JsonElement failed = await WaitForStatusAsync(id, commandId, "failed");
        Assert.Contains("DOWNLINK_PAYLOAD_SIZE", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_the_device_never_confirms_expires_after_its_ttl()
    {
        (_, string id) = await HeardStreetlightAsync();
        using HttpClient electricity = AgencyClient("dev-azerishig");

        // A time to live of several seconds, looked at one second in: a slow machine has five seconds
        // of slack before a look that comes late would find it expired already.
        JsonElement command = await IssueAsync(electricity, id, new { name = "dim", args = new { level = 70 }, ttlSeconds = 6 });
        string commandId = command.GetProperty("id").GetString()!;

        await Task.Delay(1000);
        Assert.NotEqual("expired", (await GetCommandAsync(id, commandId)).GetProperty("status").GetString());
        JsonElement expired = await WaitForStatusAsync(id, commandId, "expired", seconds: 30);
        Assert.Contains("time to live", expired.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idempotency_key_returns_the_first_command_and_a_stale_If_Match_is_412()
    {
        (_, string id) = await HeardStreetlightAsync();
        using HttpClient electricity = AgencyClient("dev-azerishig");
        string key = Guid.NewGuid().ToString();

        HttpResponseMessage first = await PostCommandAsync(electricity, id, new { name = "dim", args = new { level = 20 } }, idempotencyKey: key);
        HttpResponseMessage second = await PostCommandAsync(electricity, id, new { name = "dim", args = new { level = 20 } }, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        string firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(firstId, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        JsonElement twin = await GetTwinAsync(_city, "streetlights", id);
        Assert.Single(twin.GetProperty("commands").EnumerateArray(), c => c.GetProperty("name").GetString() == "dim");

        HttpResponseMessage stale = await PostCommandAsync(electricity, id, new { name = "dim", args = new { level = 30 } }, ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        long version = (await GetTwinAsync(_city, "streetlights", id)).GetProperty("version").GetInt64();
        HttpResponseMessage current = await PostCommandAsync(electricity, id, new { name = "dim", args = new { level = 30 } }, ifMatch: $"\"{version}\"");
        Assert.Equal(HttpStatusCode.Accepted, current.StatusCode);
    }

    [Fact]
    public async Task Newer_command_on_the_same_property_supersedes_the_older()
    {
        (_, string id) = await HeardStreetlightAsync();
        using HttpClient electricity = AgencyClient("dev-azerishig");

        string older = (await IssueAsync(electricity, id, new { name = "dim", args = new { level = 20 } })).GetProperty("id").GetString()!;
        string newer = (await IssueAsync(electricity, id, new { name = "dim", args = new { level = 90 } })).GetProperty("id").GetString()!;

        JsonElement superseded = await GetCommandAsync(id, older);
        Assert.Equal("superseded", superseded.GetProperty("status").GetString());
        Assert.Contains(newer, superseded.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(90, (await GetTwinAsync(_city, "streetlights", id)).GetProperty("desired").GetProperty("dimLevel").GetProperty("value").GetInt32());
    }

    [Theory]
    [InlineData("""{"name":"dim","args":{"level":140}}""", "'args.level' must be a number from 0 to 100")]
    [InlineData("""{"name":"explode"}""", "streetlights take the commands switch, dim, schedule, not 'explode'")]
    [InlineData("""{"name":"switch","args":{"on":"yes"}}""", "'args.on' must be true or false")]
    [InlineData("""{"name":"switch","args":{"on":true},"ttlSeconds":0}""", "'ttlSeconds' must be a whole number")]
    [InlineData("""{"name":"schedule","args":{"on":"25:00","off":"06:00"}}""", "'args.on' must be a time of day as HH:mm")]
    [InlineData("""not json""", "not valid JSON")]
    [InlineData("""{"name":"switch","args":{"on":true,"command":"dim"}}""", "'args.command' is not an argument of switch; it takes only on")]
    [InlineData("""{"name":"dim","args":{"level":5,"level":90}}""", "'args.level' is given more than once")]
    public async Task Invalid_command_is_refused_with_a_problem_that_names_the_argument(string body, string expected)
    {
        (_, string id) = await HeardStreetlightAsync();
        using HttpClient electricity = AgencyClient("dev-azerishig");

        HttpResponseMessage response = await electricity.PostAsync($"/api/v1/twins/streetlights/{id}/commands", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_for_an_unknown_twin_is_404()
    {
        using HttpClient water = AgencyClient("dev-azersu");

        HttpResponseMessage response = await PostCommandAsync(water, "WM-nope-" + Guid.NewGuid().ToString("N")[..6], new { name = "readNow" }, kind: "water-meters");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private HttpClient AgencyClient(string key)
    {
        HttpClient client = fixture.City.CreateClient();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private async Task<(string DevEui, string Id)> HeardStreetlightAsync()
    {
        (string devEui, string id) = await ProvisionAsync(_city, "streetlights", "milesight-ws558", "SLC");
        HttpResponseMessage up = await _city.PostIngestAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(NetworkServerMessages.ChirpStackUp(devEui, 1, 85, decoded: new { on = true, dimLevel = 100 })));
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        return (devEui, id);
    }

    private static async Task<HttpResponseMessage> PostCommandAsync(HttpClient client, string id, object body, string? idempotencyKey = null, string? ifMatch = null, string kind = "streetlights")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/twins/{kind}/{id}/commands") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> IssueAsync(HttpClient client, string id, object body)
    {
        HttpResponseMessage response = await PostCommandAsync(client, id, body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> GetCommandAsync(string id, string commandId) =>
        await _city.GetFromJsonAsync<JsonElement>($"/api/v1/twins/streetlights/{id}/commands/{commandId}");

    /// <summary>Polls the command until it has <paramref name="status"/>; the default leaves a slow machine time for the broker's round trips.</summary>
    private async Task<JsonElement> WaitForStatusAsync(string id, string commandId, string status, int seconds = 30)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonElement command;
        do
        {
            command = await GetCommandAsync(id, commandId);
            if (command.GetProperty("status").GetString() == status)
            {
                return command;
            }

            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"command {commandId} did not become {status}; it is {command}");
        return command;
    }
}
