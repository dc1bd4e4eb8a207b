using System.Net;
using System.Text.Json;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Tests.Live;

namespace TwinCity.Web.Tests.Rules;

[Collection(CityCollection.Name)]
public sealed class RuleFiredHubTests(CityAppFactory city)
{
    [Fact]
    public async Task A_viewer_watching_the_area_receives_ruleFired_and_one_watching_elsewhere_does_not()
    {
        using HttpClient http = RuleApiKit.Client(city);
        const double Lat = 40.7555;
        const double Lon = 49.7555;
        string id = $"hub-{Guid.NewGuid():N}"[..12];
        Assert.Equal(HttpStatusCode.Created, (await RuleApiKit.PutRuleAsync(http, id, RuleApiKit.IncidentRule(Lat, Lon))).StatusCode);
        (ITwinGrain sensor, ulong sensorEui) = await RuleApiKit.ProvisionAsync(city, http, "road-sensors", Lat, Lon);
        (ITwinGrain light, _) = await RuleApiKit.ProvisionAsync(city, http, "streetlights", Lat, Lon + 0.001);
        IGrainFactory grains = city.Services.GetService(typeof(IGrainFactory)) as IGrainFactory ?? throw new InvalidOperationException();
        ICellGrain cell = grains.GetGrain<ICellGrain>(CellGrid.CellOf(new GeoPoint(Lat, Lon + 0.001)));
        await RuleApiKit.Eventually(async () => (await cell.GetTwinsAsync()).Any(t => t.Id == light.GetPrimaryKeyString()), "the light in its cell");

        await using HubViewer watching = await HubViewer.ConnectAsync(city);
        await using HubViewer elsewhere = await HubViewer.ConnectAsync(city);
        await watching.WatchAreaAsync(Lon - 0.003, Lat - 0.003, Lon + 0.003, Lat + 0.003);
        await elsewhere.WatchAreaAsync(Lon + 0.05, Lat + 0.05, Lon + 0.06, Lat + 0.06);

        await sensor.UplinkAsync(new Uplink(sensorEui, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.Incident, true)]));

        await RuleApiKit.Eventually(() => Task.FromResult(!watching.RulesFired.IsEmpty), "ruleFired at the viewer");
        JsonElement fired = Assert.Single(watching.RulesFired);
        Assert.Equal(id, fired.GetProperty("rule").GetString());
        Assert.Equal($"road-sensors/{sensor.GetPrimaryKeyString()}", fired.GetProperty("source").GetString());
        Assert.Equal([$"streetlights/{light.GetPrimaryKeyString()}"], fired.GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        Assert.True(fired.TryGetProperty("at", out _));
        Assert.Equal(Lat, fired.GetProperty("lat").GetDouble(), 6);

        // The light's change reaches the watcher too, so the map shows it brightened; the other viewer heard of nothing.
        await RuleApiKit.Eventually(() => Task.FromResult(watching.ChangesOf(light.GetPrimaryKeyString()).Any()), "the light's change at the viewer");
        Assert.Empty(elsewhere.RulesFired);
        await http.DeleteAsync($"/api/v1/rules/{id}");
    }
}
