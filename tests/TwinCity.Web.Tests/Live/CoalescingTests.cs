using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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

        TimeSpan interval = city.Services.GetRequiredService<IOptions<LiveOptions>>().Value.PerTwinInterval;
        var clock = Stopwatch.StartNew();
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

        // The last values come at most one interval after the one before them, and then through the
        // hub: wait for them rather than for a fixed time a busy machine may need more than.
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (!viewer.ChangesOf(id).Any(c => c.GetProperty("version").GetInt64() == 101))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the viewer was not sent the last values; it has {viewer.ChangesOf(id).Count()} changes of the lamp");
            await Task.Delay(20);
        }

        TimeSpan lastArrived = clock.Elapsed;

        // Nothing may follow the last values; give a stray message the time to show.
        await Task.Delay(interval * 2);
        JsonElement[] received = [.. viewer.ChangesOf(id)];

        // A viewer is sent a twin at most once an interval, so the messages cannot outnumber the
        // intervals from the first uplink to the last message's arrival, plus one (and one more for
        // the lamp's provisioning, should its cell pass that on after the viewer began watching). On
        // a quick machine (a hundred updates in about 0.1 s) that is the three the test always
        // allowed; a slow machine that took longer to make the updates may be sent one more for each
        // further interval, which still leaves a hundred updates far from a hundred messages.
        int most = Math.Max(3, 2 + (int)(lastArrived / interval));
        Assert.InRange(received.Length, 1, most);
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

        // Generous deadlines: the pushes and the upkeep take milliseconds, a busy machine may take seconds.
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (lamps.Any(l => !viewer.ChangesOf(l.Id).Any()))
        {
            Assert.True(DateTime.UtcNow < deadline, "the viewer did not hear of every lamp");
            await Task.Delay(50);
        }

        Assert.True(live.RememberedSendTimes >= before + lamps.Count, $"{live.RememberedSendTimes} send times remembered after {lamps.Count} changes");
        deadline = DateTime.UtcNow.AddSeconds(30);
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
