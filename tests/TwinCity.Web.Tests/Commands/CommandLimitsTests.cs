using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TwinCity.Testing;
using static TwinCity.Web.Tests.Ingest.IngestTestKit;

namespace TwinCity.Web.Tests.Commands;

/// <summary>What one caller's commands may cost the radio network, and what an Idempotency-Key promises: from outside.</summary>
public sealed class CommandLimitsTests : IClassFixture<BudgetCity>
{
    private readonly BudgetCity _city;
    private readonly HttpClient _http;

    public CommandLimitsTests(BudgetCity city)
    {
        _city = city;
        _http = city.CreateClient();
    }

    [Fact]
    public async Task Thousand_commands_a_second_to_one_streetlight_publish_no_more_downlinks_than_its_budget_and_answer_429()
    {
        (string devEui, string id) = await HeardStreetlightAsync();
        await using TestSubscriber network = await TestSubscriber.ConnectAsync(_city.MqttPort, $"application/city/device/{devEui.ToLowerInvariant()}/command/down");
        using HttpClient electricity = _city.ClientWithKey(TestKeys.Azerishig);
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var retryAfters = new ConcurrentBag<int>();
        var clock = Stopwatch.StartNew();

        // 20 callers side by side, 50 commands each, paced to 1,000 a second in all.
        await Parallel.ForEachAsync(Enumerable.Range(0, 20), new ParallelOptions { MaxDegreeOfParallelism = 20 }, async (caller, ct) =>
        {
            for (int i = 0; i < 50; i++)
            {
                TimeSpan due = TimeSpan.FromMilliseconds((i * 20) + caller);
                if (clock.Elapsed < due)
                {
                    await Task.Delay(due - clock.Elapsed, ct);
                }

                HttpResponseMessage response = await electricity.PostAsJsonAsync($"/api/v1/twins/streetlights/{id}/commands", new { name = "dim", args = new { level = (caller + i) % 100 } }, ct);
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    retryAfters.Add(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        });
        TimeSpan took = clock.Elapsed;

        int accepted = statuses.Count(s => s == HttpStatusCode.Accepted);
        int throttled = statuses.Count(s => s == HttpStatusCode.TooManyRequests);
        Assert.Equal(1000, statuses.Count);
        Assert.Equal(1000, accepted + throttled);
        Assert.InRange(accepted, 1, BudgetCity.PerDevice);
        Assert.All(retryAfters, seconds => Assert.InRange(seconds, 1, 600));

        // Whatever was still on its way has arrived by now.
        await Task.Delay(1000);
        int downlinks = network.Messages.Count;
        Assert.InRange(downlinks, 1, BudgetCity.PerDevice);
        Console.WriteLine($"1000 commands in {took.TotalMilliseconds:0} ms: {accepted} accepted, {throttled} answered 429, {downlinks} downlinks published");

        // The twin stayed answerable and kept one desired value.
        JsonElement twin = await GetTwinAsync(_http, "streetlights", id);
        Assert.True(twin.GetProperty("desired").TryGetProperty("dimLevel", out _));
    }

    [Fact]
    public async Task Idempotency_key_with_another_body_is_422_and_a_repeat_after_the_command_was_pruned_returns_it()
    {
        (_, string id) = await HeardStreetlightAsync();
        using HttpClient electricity = _city.ClientWithKey(TestKeys.Azerishig);
        string key = Guid.NewGuid().ToString();

        HttpResponseMessage first = await PostAsync(electricity, id, """{"name":"dim","args":{"level":20}}""", key);
        HttpResponseMessage other = await PostAsync(electricity, id, """{"name":"dim","args":{"level":80}}""", key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        string firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Contains("Idempotency-Key was used for another command", (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(20, (await GetTwinAsync(_http, "streetlights", id)).GetProperty("desired").GetProperty("dimLevel").GetProperty("value").GetInt32());

        // Two newer commands supersede the first, and a history of one finished command prunes it.
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(electricity, id, """{"name":"dim","args":{"level":30}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(electricity, id, """{"name":"dim","args":{"level":40}}""")).StatusCode);
        JsonElement twin = await GetTwinAsync(_http, "streetlights", id);
        Assert.DoesNotContain(twin.GetProperty("commands").EnumerateArray(), c => c.GetProperty("id").GetString() == firstId);

        // Same body, spelled differently: the same command.
        HttpResponseMessage repeat = await PostAsync(electricity, id, """{ "args": { "level": 20.0 }, "name": "dim" }""", key);

        Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
        Assert.Equal("true", repeat.Headers.GetValues("Idempotent-Replayed").Single());
        JsonElement replayed = await repeat.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(firstId, replayed.GetProperty("id").GetString());
        Assert.Equal("superseded", replayed.GetProperty("status").GetString());
        Assert.Equal(40, (await GetTwinAsync(_http, "streetlights", id)).GetProperty("desired").GetProperty("dimLevel").GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task Rule_that_sends_downlinks_needs_the_minimum_cooldown()
    {
        await WaitReadyAsync(_http);
        const string Trigger = """ "trigger": { "kind": "road-sensors", "any": [ { "property": "incident", "op": "==", "value": true } ] }, "scope": { "type": "radius", "metres": 5000 } """;

        HttpResponseMessage dim = await PutRuleAsync("cooldown-dim-" + Guid.NewGuid().ToString("N")[..6],
            "{" + Trigger + """, "effects": [ { "type": "command", "kind": "streetlights", "command": "dim", "args": { "level": 100 } } ], "cooldownSeconds": 0 }""");
        HttpResponseMessage alert = await PutRuleAsync("cooldown-alert-" + Guid.NewGuid().ToString("N")[..6],
            "{" + Trigger + """, "effects": [ { "type": "alert", "agencies": ["roads"], "text": "incident" } ], "cooldownSeconds": 0 }""");

        Assert.Equal(HttpStatusCode.BadRequest, dim.StatusCode);
        JsonElement problem = await dim.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cooldownSeconds", problem.GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.Created, alert.StatusCode);
    }

    private Task<HttpResponseMessage> PutRuleAsync(string id, string json) =>
        _http.PutAsync($"/api/v1/rules/{id}", new StringContent(json, Encoding.UTF8, "application/json"));

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string id, string body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/twins/streetlights/{id}/commands") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }

    private async Task<(string DevEui, string Id)> HeardStreetlightAsync()
    {
        await WaitReadyAsync(_http);
        (string devEui, string id) = await ProvisionAsync(_http, "streetlights", "milesight-ws558", "SLB");
        HttpResponseMessage up = await _http.PostIngestAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(NetworkServerMessages.ChirpStackUp(devEui, 1, 85, decoded: new { on = true, dimLevel = 100 })));
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        return (devEui, id);
    }
}
