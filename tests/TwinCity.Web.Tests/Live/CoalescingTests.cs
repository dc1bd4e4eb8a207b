using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

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
    public async Task WatchArea_refuses_an_inverted_area_with_a_clear_error()
    {
        await using HubViewer viewer = await HubViewer.ConnectAsync(city);

        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => viewer.WatchAreaAsync(49.9, 40.5, 49.8, 40.4));
        Assert.Contains("min ≤ max", error.Message, StringComparison.Ordinal);
    }
}
