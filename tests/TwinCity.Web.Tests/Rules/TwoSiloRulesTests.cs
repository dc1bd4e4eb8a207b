using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Testing;
using TwinCity.Web.Tests.Live;

namespace TwinCity.Web.Tests.Rules;

/// <summary>A rule put through one silo is in force on the other, and its firing reaches a viewer on the first from twins on the second.</summary>
[Collection(TwoSiloCityCollection.Name)]
public sealed class TwoSiloRulesTests(TwoSiloCity cluster)
{
    [Fact]
    public async Task Rule_put_on_one_silo_fires_from_an_uplink_through_the_other_and_reaches_its_lights_and_the_viewer()
    {
        using HttpClient first = RuleApiKit.Client(cluster.First);
        using HttpClient second = RuleApiKit.Client(cluster.Second);
        const double Lat = 40.8555;
        const double Lon = 49.8555;
        string id = $"two-{Guid.NewGuid():N}"[..12];
        Assert.Equal(HttpStatusCode.Created, (await RuleApiKit.PutRuleAsync(first, id, RuleApiKit.IncidentRule(Lat, Lon))).StatusCode);

        (string sensorEui, string sensorId) = await ProvisionAsync(second, "road-sensors", "cayenne-lpp", Lat, Lon);
        var lights = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            (_, string light) = await ProvisionAsync(second, "streetlights", "milesight-ws558", Lat + ((i % 4) * 0.0005), Lon + ((i / 4) * 0.0005));
            lights.Add(light);
        }

        IGrainFactory grains = cluster.First.Services.GetRequiredService<IGrainFactory>();
        var box = new GeoBox(Lon - 0.003, Lat - 0.003, Lon + 0.003, Lat + 0.003);
        await RuleApiKit.Eventually(async () => (await grains.InAreaAsync(box, CellGrid.CellsOf(box)!)).Count == 13, "every twin in its cell");
        await using HubViewer viewer = await HubViewer.ConnectAsync(cluster.First);
        await viewer.WatchAreaAsync(box.MinLon, box.MinLat, box.MaxLon, box.MaxLat);

        HttpResponseMessage up = await second.PostIngestAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(NetworkServerMessages.ChirpStackUp(sensorEui, 1, 85, decoded: new { incident = true })));
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);

        foreach (string light in lights)
        {
            await Ingest.IngestTestKit.WaitForTwinAsync(first, "streetlights", light, t =>
                t.GetProperty("desired").TryGetProperty("dimLevel", out JsonElement d) && d.GetProperty("value").GetDouble() == 100 && d.GetProperty("by").GetString() == "rule:" + id);
        }

        await RuleApiKit.Eventually(() => Task.FromResult(viewer.RulesFired.Any(f => f.GetProperty("rule").GetString() == id)), "ruleFired at the viewer on the first silo");
        JsonElement fired = viewer.RulesFired.First(f => f.GetProperty("rule").GetString() == id);
        Assert.Equal($"road-sensors/{sensorId}", fired.GetProperty("source").GetString());
        Assert.Equal(lights.Select(l => "streetlights/" + l).Order(), fired.GetProperty("targets").EnumerateArray().Select(t => t.GetString()).Order());

        // Where Orleans places the twins is its own choice (CrossSiloPushTests covers twins on the
        // other silo); this test holds the rule's path across silos: put through the first silo's API,
        // fired by an uplink that entered through the second, seen by a viewer on the first.
        await first.DeleteAsync($"/api/v1/rules/{id}");
    }

    private static async Task<(string DevEui, string Id)> ProvisionAsync(HttpClient http, string kind, string codec, double lat, double lon)
    {
        string devEui = Ingest.IngestTestKit.NewDevEui();
        string id = $"TS-{Guid.NewGuid():N}"[..16];
        HttpResponseMessage response = await http.PostAsJsonAsync("/api/v1/devices", new
        {
            devEui, kind, twinId = id, name = id, lat, lon, codec, reportingIntervalSeconds = 600,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (devEui, id);
    }
}
