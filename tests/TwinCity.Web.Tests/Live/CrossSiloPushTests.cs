using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Testing;

namespace TwinCity.Web.Tests.Live;

[Collection(TwoSiloCityCollection.Name)]
public sealed class CrossSiloPushTests(TwoSiloCity cluster)
{
    [Fact]
    public async Task Viewer_on_one_silo_sees_changes_of_twins_on_the_other_until_it_unwatches_and_a_viewer_elsewhere_sees_none()
    {
        using HttpClient first = cluster.First.CreateClient();
        using HttpClient second = cluster.Second.CreateClient();
        // Two areas of the grid nobody else uses, each a few cells wide.
        (double minLon, double minLat, double maxLon, double maxLat) watched = (49.600, 40.500, 49.630, 40.520);
        (double minLon, double minLat, double maxLon, double maxLat) elsewhere = (49.700, 40.600, 49.720, 40.610);
        var ids = new List<(string DevEui, string Id)>();
        for (int i = 0; i < 30; i++)
        {
            ids.Add(await ProvisionAsync(second, 40.501 + (i % 6) * 0.003, 49.601 + (i / 6) * 0.005));
        }

        (string otherEui, string otherId) = await ProvisionAsync(first, 40.605, 49.705);

        // The cells answer WatchArea, and each twin tells its cell of itself one-way (across the
        // cluster, here): wait until they know every twin before looking at what a watch is given.
        IGrainFactory grains = cluster.First.Services.GetRequiredService<IGrainFactory>();
        var watchedBox = new GeoBox(watched.minLon, watched.minLat, watched.maxLon, watched.maxLat);
        var elsewhereBox = new GeoBox(elsewhere.minLon, elsewhere.minLat, elsewhere.maxLon, elsewhere.maxLat);
        await Rules.RuleApiKit.Eventually(
            async () => (await grains.InAreaAsync(watchedBox, CellGrid.CellsOf(watchedBox)!)).Count >= ids.Count
                && (await grains.InAreaAsync(elsewhereBox, CellGrid.CellsOf(elsewhereBox)!)).Count >= 1,
            "every twin in its cell");
        await using HubViewer viewer = await HubViewer.ConnectAsync(cluster.First);
        await using HubViewer elsewhereViewer = await HubViewer.ConnectAsync(cluster.Second);
        JsonElement[] initial = await viewer.WatchAreaAsync(watched.minLon, watched.minLat, watched.maxLon, watched.maxLat);
        JsonElement[] initialElsewhere = await elsewhereViewer.WatchAreaAsync(elsewhere.minLon, elsewhere.minLat, elsewhere.maxLon, elsewhere.maxLat);
        Assert.Equal(30, initial.Length);
        Assert.Equal(otherId, Assert.Single(initialElsewhere).GetProperty("id").GetString());

        // Uplinks enter through the second silo's ingest.
        foreach ((string devEui, _) in ids)
        {
            await PostUplinkAsync(second, devEui, 1, 40);
        }

        await Until(() => ids.All(t => viewer.ChangesOf(t.Id).Any(c => Dim(c) == 40)), "the viewer hears of every twin's change");
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = new HashSet<string>();
        foreach ((_, string id) in ids)
        {
            hosts.Add((await management.GetActivationAddress(grains.GetTwin(TwinKind.Streetlight, id)))?.ToString() ?? "none");
        }

        Assert.True(hosts.Count > 1 || !hosts.Contains(SiloOf(cluster.First)), $"some twins must live on the second silo; they are on {string.Join(", ", hosts)}");
        Assert.DoesNotContain(elsewhereViewer.Changes, c => ids.Any(t => t.Id == c.GetProperty("id").GetString()));

        await viewer.UnwatchAreaAsync(watched.minLon, watched.minLat, watched.maxLon, watched.maxLat);
        int heard = viewer.Changes.Count;
        foreach ((string devEui, _) in ids)
        {
            await PostUplinkAsync(second, devEui, 2, 80);
        }

        await PostUplinkAsync(first, otherEui, 1, 10);
        await Until(() => elsewhereViewer.ChangesOf(otherId).Any(c => Dim(c) == 10), "the other viewer hears of its own area");
        await Task.Delay(500);
        Assert.Equal(heard, viewer.Changes.Count);
    }

    [Fact]
    public async Task WatchTwin_streams_the_whole_document_across_silos()
    {
        using HttpClient second = cluster.Second.CreateClient();
        (string devEui, string id) = await ProvisionAsync(second, 40.55, 49.55);
        await using HubViewer viewer = await HubViewer.ConnectAsync(cluster.First);

        JsonElement now = await viewer.Connection.InvokeAsync<JsonElement>("WatchTwin", "streetlights", id);
        await PostUplinkAsync(second, devEui, 7, 65);

        Assert.Equal(id, now.GetProperty("id").GetString());
        await Until(() => viewer.Documents.Any(d => d.GetProperty("reported").TryGetProperty("dimLevel", out JsonElement v) && v.GetProperty("value").GetInt32() == 65), "the document arrives");
        JsonElement doc = viewer.Documents.Last();
        Assert.Equal(7, doc.GetProperty("radio").GetProperty("fCnt").GetInt32());
        Assert.True(doc.GetProperty("version").GetInt64() > now.GetProperty("version").GetInt64());
    }

    private static string SiloOf(CityAppFactory city) =>
        city.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress.ToString();

    private static int Dim(JsonElement change) =>
        change.GetProperty("values").TryGetProperty("dimLevel", out JsonElement d) ? d.GetInt32() : -1;

    private static async Task<(string DevEui, string Id)> ProvisionAsync(HttpClient http, double lat, double lon)
    {
        string devEui = Ingest.IngestTestKit.NewDevEui();
        string id = $"LV-{Guid.NewGuid():N}"[..16];
        HttpResponseMessage response = await http.PostAsJsonAsync("/api/v1/devices", new
        {
            devEui, kind = "streetlights", twinId = id, lat, lon, codec = "milesight-ws558", reportingIntervalSeconds = 600,
        });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (devEui, id);
    }

    private static async Task PostUplinkAsync(HttpClient http, string devEui, uint fCnt, int dimLevel)
    {
        HttpResponseMessage response = await http.PostIngestAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(NetworkServerMessages.ChirpStackUp(devEui, fCnt, 85, decoded: new { on = true, dimLevel })));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out: {what}");
            await Task.Delay(25);
        }
    }
}
