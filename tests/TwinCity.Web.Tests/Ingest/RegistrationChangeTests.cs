using System.Net;
using System.Text.Json;
using static TwinCity.Web.Tests.Ingest.IngestTestKit;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>
/// Ingest keeps registrations for a long while; a device registered again must still be routed and
/// decoded by its new registration from the next uplink on.
/// </summary>
[Collection(CityCollection.Name)]
public sealed class RegistrationChangeTests(CityAppFactory city)
{
    private readonly HttpClient _http = city.CreateClient();

    [Fact]
    public async Task Uplink_after_the_mapping_changed_is_read_by_the_new_mapping_though_ingest_cached_the_old_one()
    {
        await WaitReadyAsync(_http);
        (string devEui, string id) = await ProvisionAsync(_http, "streetlights", "milesight-ws558", "SLR", mapping: new { level = "dimLevel" });
        await PostUpAsync(devEui, 1, new { level = 40 });
        Assert.Equal(40, Reported(await GetTwinAsync(_http, "streetlights", id), "dimLevel").GetInt32());

        // Registered again: the same twin, the same codec, but "level" now means the lamp's power.
        await RegisterAsync(_http, devEui, "streetlights", id, "milesight-ws558", mapping: new { level = "powerW" });

        await PostUpAsync(devEui, 2, new { level = 75 });

        JsonElement twin = await GetTwinAsync(_http, "streetlights", id);
        Assert.Equal(75, Reported(twin, "powerW").GetInt32());
        Assert.Equal(40, Reported(twin, "dimLevel").GetInt32());
        Assert.Equal(2, twin.GetProperty("radio").GetProperty("fCnt").GetInt32());
    }

    [Fact]
    public async Task Device_moved_to_another_twin_reaches_the_new_one_at_once_and_the_old_one_no_more()
    {
        await WaitReadyAsync(_http);
        (string devEui, string first) = await ProvisionAsync(_http, "streetlights", "milesight-ws558", "SLM");
        await PostUpAsync(devEui, 1, new { on = true, dimLevel = 10 });
        string second = first + "b";

        await RegisterAsync(_http, devEui, "streetlights", second, "milesight-ws558");
        await PostUpAsync(devEui, 2, new { on = true, dimLevel = 90 });

        Assert.Equal(90, Reported(await GetTwinAsync(_http, "streetlights", second), "dimLevel").GetInt32());
        Assert.Equal(10, Reported(await GetTwinAsync(_http, "streetlights", first), "dimLevel").GetInt32());
    }

    private async Task PostUpAsync(string devEui, uint fCnt, object decoded)
    {
        HttpResponseMessage response = await _http.PostIngestAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(TwinCity.Testing.NetworkServerMessages.ChirpStackUp(devEui, fCnt, 85, decoded: decoded)));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK && body.Contains("\"applied\"", StringComparison.Ordinal), $"{(int)response.StatusCode}: {body}");
    }
}
