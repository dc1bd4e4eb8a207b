using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>Provisioning and polling helpers for ingest tests that go through the real API.</summary>
public static class IngestTestKit
{
    public static string NewDevEui() => Random.Shared.NextInt64(0x1000_0000_0000_0000, long.MaxValue).ToString("X16", CultureInfo.InvariantCulture);

    public static async Task WaitReadyAsync(HttpClient http)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            HttpResponseMessage response = await http.GetAsync("/health/ready");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the city did not become ready: " + await response.Content.ReadAsStringAsync());
            }

            await Task.Delay(100);
        }
    }

    public static async Task<(string DevEui, string Id)> ProvisionAsync(HttpClient http, string kind, string codec, string prefix, object? mapping = null)
    {
        string devEui = NewDevEui();
        string id = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
        await RegisterAsync(http, devEui, kind, id, codec, mapping);
        return (devEui, id);
    }

    /// <summary>Provisions <paramref name="count"/> devices of one kind and codec, one after another.</summary>
    public static async Task<List<(string DevEui, string Id)>> ProvisionManyAsync(HttpClient http, int count, string kind, string codec, string prefix)
    {
        var provisioned = new List<(string DevEui, string Id)>(count);
        for (int i = 0; i < count; i++)
        {
            provisioned.Add(await ProvisionAsync(http, kind, codec, prefix));
        }

        return provisioned;
    }

    /// <summary>Registers a device (again, when it exists) through the API.</summary>
    public static async Task RegisterAsync(HttpClient http, string devEui, string kind, string id, string codec, object? mapping = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["devEui"] = devEui, ["kind"] = kind, ["twinId"] = id, ["name"] = id,
            ["lat"] = 40.39, ["lon"] = 49.85, ["codec"] = codec, ["reportingIntervalSeconds"] = 600,
        };
        if (mapping is not null)
        {
            body["mapping"] = mapping;
        }

        HttpResponseMessage response = await http.PostAsJsonAsync("/api/v1/devices", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static async Task<JsonElement> GetTwinAsync(HttpClient http, string kind, string id) =>
        await http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/{kind}/{id}");

    /// <summary>Polls the twin until <paramref name="done"/> holds, or fails with the last document seen.</summary>
    public static async Task<JsonElement> WaitForTwinAsync(HttpClient http, string kind, string id, Func<JsonElement, bool> done, int seconds = 20)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonElement twin;
        while (true)
        {
            twin = await GetTwinAsync(http, kind, id);
            if (done(twin))
            {
                return twin;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"twin {kind}/{id} did not reach the expected state in {seconds} s; last: {twin}");
            }

            await Task.Delay(50);
        }
    }

    public static JsonElement Reported(JsonElement twin, string property) =>
        twin.GetProperty("reported").GetProperty(property).GetProperty("value");

    public static bool HasReported(JsonElement twin, string property) =>
        twin.GetProperty("reported").TryGetProperty(property, out _);

    /// <summary>Waits, up to <paramref name="seconds"/>, for what ingest counts (applied uplinks, held messages) to satisfy <paramref name="condition"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, int seconds = 60)
    {
        ArgumentNullException.ThrowIfNull(condition);
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {seconds} s");
            await Task.Delay(20);
        }
    }
}
