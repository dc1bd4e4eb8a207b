using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Tests.Rules;

[Collection(CityCollection.Name)]
public sealed class RulesApiTests(CityAppFactory city)
{
    [Fact]
    public async Task Put_then_get_round_trips_the_rule_and_a_second_put_replaces_it()
    {
        using HttpClient http = RuleApiKit.Client(city);
        string id = $"rt-{Guid.NewGuid():N}"[..12];
        string json = """
            {
              "description": "Water main: alert and mark",
              "trigger": { "kind": "water-meters", "any": [
                { "property": "burst", "op": "==", "value": true },
                { "property": "flowM3h", "op": ">", "value": 30, "forSeconds": 600, "hysteresis": 5 } ] },
              "scope": { "type": "radius", "metres": 200 },
              "effects": [
                { "type": "alert", "agencies": ["roads", "transport"], "text": "water on the road" },
                { "type": "command", "kind": "road-sensors", "command": "mark", "args": { "hazard": true } },
                { "type": "advisory", "text": "expect delays" } ],
              "durationSeconds": 7200, "cooldownSeconds": 3600, "activeHours": { "from": "22:00", "to": "06:00" }
            }
            """;

        HttpResponseMessage created = await RuleApiKit.PutRuleAsync(http, id, json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/rules/{id}", created.Headers.Location?.OriginalString);

        JsonElement rule = await http.GetFromJsonAsync<JsonElement>($"/api/v1/rules/{id}");
        Assert.Equal(id, rule.GetProperty("id").GetString());
        Assert.Equal("water-meters", rule.GetProperty("trigger").GetProperty("kind").GetString());
        JsonElement second = rule.GetProperty("trigger").GetProperty("any")[1];
        Assert.Equal("flowM3h", second.GetProperty("property").GetString());
        Assert.Equal(">", second.GetProperty("op").GetString());
        Assert.Equal(30, second.GetProperty("value").GetDouble());
        Assert.Equal(600, second.GetProperty("forSeconds").GetDouble());
        Assert.Equal(5, second.GetProperty("hysteresis").GetDouble());
        Assert.Equal("radius", rule.GetProperty("scope").GetProperty("type").GetString());
        Assert.Equal(200, rule.GetProperty("scope").GetProperty("metres").GetDouble());
        JsonElement effects = rule.GetProperty("effects");
        Assert.Equal(["roads", "transport"], effects[0].GetProperty("agencies").EnumerateArray().Select(a => a.GetString()));
        Assert.True(effects[1].GetProperty("args").GetProperty("hazard").GetBoolean());
        Assert.Equal("expect delays", effects[2].GetProperty("text").GetString());
        Assert.Equal("22:00", rule.GetProperty("activeHours").GetProperty("from").GetString());
        Assert.Equal(7200, rule.GetProperty("durationSeconds").GetDouble());
        long version = rule.GetProperty("version").GetInt64();

        // What GET returns is itself a valid body for PUT.
        HttpResponseMessage replaced = await RuleApiKit.PutRuleAsync(http, id, rule.GetRawText());
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        JsonElement again = await replaced.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(again.GetProperty("version").GetInt64() > version);
        Assert.Equal(rule.GetProperty("trigger").GetRawText(), again.GetProperty("trigger").GetRawText());
        Assert.Equal(rule.GetProperty("effects").GetRawText(), again.GetProperty("effects").GetRawText());

        JsonElement[] all = await http.GetFromJsonAsync<JsonElement[]>("/api/v1/rules") ?? [];
        Assert.Contains(all, r => r.GetProperty("id").GetString() == id);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/v1/rules/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/rules/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/api/v1/rules/{id}")).StatusCode);
    }

    public static readonly TheoryData<string, string> BadRules = new()
    {
        { """{ "scope": { "type": "cell" }, "effects": [ { "type": "alert", "agencies": ["roads"], "text": "x" } ] }""", "trigger" },
        { """{ "trigger": { "kind": "trams", "any": [ { "property": "incident", "op": "==", "value": true } ] }, "effects": [ { "type": "alert", "agencies": ["roads"], "text": "x" } ] }""", "trigger.kind" },
        { """{ "trigger": { "kind": "road-sensors", "any": [ { "property": "flowM3h", "op": ">", "value": 3 } ] }, "effects": [ { "type": "alert", "agencies": ["roads"], "text": "x" } ] }""", "trigger.any[0].property" },
        { """{ "trigger": { "kind": "road-sensors", "any": [ { "property": "incident", "op": "==", "value": true }, { "property": "occupancyPct", "op": "=>", "value": 3 } ] }, "effects": [ { "type": "alert", "agencies": ["roads"], "text": "x" } ] }""", "trigger.any[1].op" },
        { """{ "trigger": { "kind": "road-sensors", "any": [ { "property": "occupancyPct", "op": ">", "value": "lots" } ] }, "effects": [ { "type": "alert", "agencies": ["roads"], "text": "x" } ] }""", "trigger.any[0].value" },
        { """{ "trigger": { "kind": "road-sensors", "any": [ { "property": "incident", "op": "==", "value": true } ] }, "scope": { "type": "radius", "metres": -5 }, "effects": [ { "type": "alert", "agencies": ["roads"], "text": "x" } ] }""", "scope.metres" },
        { """{ "trigger": { "kind": "road-sensors", "any": [ { "property": "incident", "op": "==", "value": true } ] }, "effects": [ { "type": "command", "kind": "streetlights", "command": "dim", "args": { "level": 150 } } ] }""", "effects[0].args.level" },
        { """{ "trigger": { "kind": "road-sensors", "any": [ { "property": "incident", "op": "==", "value": true } ] }, "effects": [ { "type": "alert", "agencies": ["police"], "text": "x" } ] }""", "effects[0].agencies[0]" },
        { """{ "trigger": { "kind": "road-sensors", "any": [ { "property": "incident", "op": "==", "value": true } ] }, "effects": [ { "type": "alert", "agencies": ["roads"], "text": "x" } ], "activeHours": { "from": "25:00", "to": "06:00" } }""", "activeHours.from" },
        { """{ "trigger": { "kind": "road-sensors", "any": [ { "property": "incident", "op": "==", "value": true } ] }, "effects": [ { "type": "alert", "agencies": ["roads"], "text": "x" } ], "cooldownSeconds": "soon" }""", "cooldownSeconds" },
        { """{ "trigger": { "kind": "road-sensors", "any": [ { "property": "incident", "op": "==", "value": true } ] }, "scope": { "type": "routeAhead", "metres": 300 }, "effects": [ { "type": "alert", "agencies": ["roads"], "text": "x" } ] }""", "scope.type" },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public async Task A_rule_that_does_not_validate_is_refused_with_a_problem_naming_the_field(string json, string field)
    {
        using HttpClient http = RuleApiKit.Client(city);
        string id = $"bad-{Guid.NewGuid():N}"[..12];

        HttpResponseMessage response = await RuleApiKit.PutRuleAsync(http, id, json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.StartsWith(field + ":", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/rules/{id}")).StatusCode);
    }

    [Fact]
    public async Task Body_that_is_not_json_or_names_another_id_is_refused()
    {
        using HttpClient http = RuleApiKit.Client(city);
        HttpResponseMessage notJson = await RuleApiKit.PutRuleAsync(http, "r-json", "{ nope");
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);

        HttpResponseMessage otherId = await RuleApiKit.PutRuleAsync(http, "r-one", """{ "id": "r-two" }""");
        Assert.Equal(HttpStatusCode.BadRequest, otherId.StatusCode);
        Assert.Equal("id", (await otherId.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Firings_are_listed_with_source_and_targets()
    {
        using HttpClient http = RuleApiKit.Client(city);
        const double Lat = 40.7155;
        const double Lon = 49.7155;
        string id = $"fi-{Guid.NewGuid():N}"[..12];
        Assert.Equal(HttpStatusCode.Created, (await RuleApiKit.PutRuleAsync(http, id, RuleApiKit.IncidentRule(Lat, Lon))).StatusCode);
        (ITwinGrain sensor, ulong sensorEui) = await RuleApiKit.ProvisionAsync(city, http, "road-sensors", Lat, Lon);
        (ITwinGrain light, _) = await RuleApiKit.ProvisionAsync(city, http, "streetlights", Lat + 0.001, Lon);
        (ITwinGrain far, _) = await RuleApiKit.ProvisionAsync(city, http, "streetlights", Lat + 0.005, Lon);
        IGrainFactory grains = city.Services.GetService(typeof(IGrainFactory)) as IGrainFactory ?? throw new InvalidOperationException();
        ICellGrain cell = grains.GetGrain<ICellGrain>(CellGrid.CellOf(new GeoPoint(Lat + 0.001, Lon)));
        await RuleApiKit.Eventually(async () => (await cell.GetTwinsAsync()).Any(t => t.Id == light.GetPrimaryKeyString()), "the light in its cell");

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/v1/rules/{id}/firings")).StatusCode);
        await sensor.UplinkAsync(new Uplink(sensorEui, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.Incident, true)]));

        JsonElement[] firings = [];
        await RuleApiKit.Eventually(async () => (firings = await http.GetFromJsonAsync<JsonElement[]>($"/api/v1/rules/{id}/firings") ?? []).Length == 1, "one firing listed");
        JsonElement firing = firings[0];
        Assert.Equal(id, firing.GetProperty("rule").GetString());
        Assert.Equal($"road-sensors/{sensor.GetPrimaryKeyString()}", firing.GetProperty("source").GetString());
        Assert.Equal([$"streetlights/{light.GetPrimaryKeyString()}"], firing.GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        Assert.True(firing.TryGetProperty("at", out _));
        Assert.Equal(1, firing.GetProperty("depth").GetInt32());
        Assert.False(firing.TryGetProperty("stopped", out _));

        // The rule's command is in the light's commands, by the rule. The cell passes the command on
        // without waiting for the light, and the firing is recorded meanwhile: it may be listed a moment
        // before the light has the command.
        JsonElement twin = default;
        await RuleApiKit.Eventually(
            async () =>
            {
                twin = await http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/streetlights/{light.GetPrimaryKeyString()}");
                return twin.GetProperty("commands").EnumerateArray().Any(c => c.GetProperty("by").GetString() == "rule:" + id);
            },
            "the rule's command in the light");
        Assert.Contains(twin.GetProperty("commands").EnumerateArray(), c => c.GetProperty("by").GetString() == "rule:" + id && c.GetProperty("name").GetString() == "dim");
        JsonElement farTwin = await http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/streetlights/{far.GetPrimaryKeyString()}");
        Assert.Empty(farTwin.GetProperty("commands").EnumerateArray());

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/rules/no-such-rule/firings")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/api/v1/rules/{id}/firings?limit=0")).StatusCode);
        await http.DeleteAsync($"/api/v1/rules/{id}");
    }
}
