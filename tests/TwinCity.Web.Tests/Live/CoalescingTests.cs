using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Live;

namespace TwinCity.Web.Tests.Live;

[Collection(CityCollection.Name)]
public sealed class CoalescingTests(CityAppFactory city)
{
    [Fact]
    public async Task Hundred_updates_in_a_hundred_milliseconds_reach_a_watcher_as_a_few_messages_ending_with_the_last_values()
    {
        using HttpClient http = city.CreateClient();
        string devEui = Ingest.IngestTestKit.NewDevEui();
        string id = $"CO-{Guid.NewGuid():N}"[..16];
        Assert.Equal(System.Net.HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/devices", new
        {
            devEui, kind = "streetlights", twinId = id, lat = 40.651, lon = 49.651, codec = "milesight-ws558", reportingIntervalSeconds = 600,
        })).StatusCode);
        await using HubViewer viewer = await HubViewer.ConnectAsync(city);
        await viewer.WatchAreaAsync(49.65, 40.65, 49.66, 40.66);
        ITwinGrain twin = city.Services.GetRequiredService<IGrainFactory>().GetTwin(TwinKind.Streetlight, id);
        Assert.True(DevEui.TryParse(devEui, out ulong eui));

        DateTime started = DateTime.UtcNow;
        for (int i = 1; i <= 100; i++)
        {
            await twin.UplinkAsync(new Uplink(eui, (uint)i, DateTime.UtcNow, [Reading.Of(TwinProperty.DimLevel, i)]));
            DateTime due = started.AddMilliseconds(i);
            if (due > DateTime.UtcNow)
            {
                await Task.Delay(due - DateTime.UtcNow);
            }
        }

        await Task.Delay(800);
        JsonElement[] received = [.. viewer.ChangesOf(id)];
        Assert.InRange(received.Length, 1, 3);
        Assert.Equal(100, received[^1].GetProperty("values").GetProperty("dimLevel").GetInt32());
        Assert.Equal(101, received[^1].GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task A_viewer_forgets_the_send_times_of_twins_that_changed_long_enough_ago()
    {
        using HttpClient http = city.CreateClient();
        IGrainFactory grains = city.Services.GetRequiredService<IGrainFactory>();
        var lamps = new List<(ulong Eui, string Id)>();
        for (int i = 0; i < 80; i++)
        {
            string devEui = Ingest.IngestTestKit.NewDevEui();
            string id = $"CF-{Guid.NewGuid():N}"[..16];
            Assert.Equal(System.Net.HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/devices", new
            {
                devEui, kind = "streetlights", twinId = id, lat = 40.6715 + (i * 0.0001), lon = 49.6715, codec = "milesight-ws558", reportingIntervalSeconds = 600,
            })).StatusCode);
            Assert.True(DevEui.TryParse(devEui, out ulong eui));
            lamps.Add((eui, id));
        }

        await using HubViewer viewer = await HubViewer.ConnectAsync(city);
        await viewer.WatchAreaAsync(49.67, 40.67, 49.68, 40.68);
        LiveViewers live = city.Services.GetRequiredService<LiveViewers>();
        int before = live.RememberedSendTimes;

        // Each lamp changes once: nothing is held back, so only the flush loop's own upkeep can forget them.
        foreach ((ulong eui, string id) in lamps)
        {
            await grains.GetTwin(TwinKind.Streetlight, id).UplinkAsync(new Uplink(eui, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.DimLevel, 30)]));
        }

        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (lamps.Any(l => !viewer.ChangesOf(l.Id).Any()))
        {
            Assert.True(DateTime.UtcNow < deadline, "the viewer did not hear of every lamp");
            await Task.Delay(50);
        }

        Assert.True(live.RememberedSendTimes >= before + lamps.Count, $"{live.RememberedSendTimes} send times remembered after {lamps.Count} changes");
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (live.RememberedSendTimes > before)
        {
            Assert.True(DateTime.UtcNow < deadline, $"still {live.RememberedSendTimes} send times remembered (before: {before})");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task WatchArea_refuses_an_inverted_area_with_a_clear_error()
    {
        await using HubViewer viewer = await HubViewer.ConnectAsync(city);

        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => viewer.WatchAreaAsync(49.9, 40.5, 49.8, 40.4));
        Assert.Contains("min ≤ max", error.Message, StringComparison.Ordinal);
    }
}
