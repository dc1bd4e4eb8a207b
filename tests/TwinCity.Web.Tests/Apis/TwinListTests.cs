using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TwinCity.Web.Tests.Apis;

[Collection(CityCollection.Name)]
public sealed class TwinListTests(CityAppFactory city)
{
    private readonly HttpClient _http = city.CreateClient();

    [Fact]
    public async Task Area_listing_pages_through_exactly_the_twins_in_the_box()
    {
        var expected = new List<string>();
        for (int i = 0; i < 7; i++)
        {
            string id = $"PG-{i}-{Guid.NewGuid():N}"[..16];
            expected.Add(id);
            await _http.PostAsJsonAsync("/api/v1/devices", new
            {
                devEui = Ingest.IngestTestKit.NewDevEui(), kind = i % 2 == 0 ? "water-meters" : "road-sensors", twinId = id,
                lat = 40.701 + i * 0.003, lon = 49.701, codec = i % 2 == 0 ? "axioma-qalcosonic-w1" : "twincity-traffic-v1", reportingIntervalSeconds = 600,
            });
        }

        await _http.PostAsJsonAsync("/api/v1/devices", new
        {
            devEui = Ingest.IngestTestKit.NewDevEui(), kind = "water-meters", twinId = "PG-outside-" + Guid.NewGuid().ToString("N")[..4],
            lat = 40.701, lon = 49.731, codec = "axioma-qalcosonic-w1", reportingIntervalSeconds = 600,
        });

        // The listing is answered by the spatial cells, which each twin tells of itself one-way once it
        // is provisioned: wait until they know all of them before paging through.
        await Rules.RuleApiKit.Eventually(
            async () => (await _http.GetFromJsonAsync<JsonElement>("/api/v1/twins?bbox=49.70,40.70,49.72,40.73&limit=1000"))
                .GetProperty("items").GetArrayLength() >= expected.Count,
            "the provisioned twins in their cells");
        var seen = new List<string>();
        string? cursor = null;
        int pages = 0;
        do
        {
            JsonElement page = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/twins?bbox=49.70,40.70,49.72,40.73&limit=3{(cursor is null ? "" : "&cursor=" + cursor)}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()!));
            cursor = page.GetProperty("next").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(expected.Order(), seen.Order());
        JsonElement meters = await _http.GetFromJsonAsync<JsonElement>("/api/v1/twins?bbox=49.70,40.70,49.72,40.73&kind=water-meters");
        Assert.Equal(4, meters.GetProperty("items").GetArrayLength());
        Assert.All(meters.GetProperty("items").EnumerateArray(), t => Assert.Equal("water-meters", t.GetProperty("kind").GetString()));
    }

    [Theory]
    [InlineData("bbox=1,2,3", "'bbox' must be minLon,minLat,maxLon,maxLat")]
    [InlineData("bbox=a,2,3,4", "where a number belongs")]
    [InlineData("bbox=49.9,40.3,49.8,40.4", "min ≤ max")]
    [InlineData("bbox=-180,-90,180,90", "spans more than")]
    [InlineData("kind=lamps", "'kind' must be one of")]
    [InlineData("status=sleeping", "'status' must be online, offline or unknown")]
    [InlineData("limit=0", "'limit' must be between 1 and 1000")]
    [InlineData("cursor=%%%", "'cursor' is not one this API gave out")]
    public async Task Bad_query_parameter_is_a_400_that_names_it(string query, string expected)
    {
        HttpResponseMessage response = await _http.GetAsync("/api/v1/twins?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_count_twins_by_kind_and_status()
    {
        await _http.PostAsJsonAsync("/api/v1/devices", new
        {
            devEui = Ingest.IngestTestKit.NewDevEui(), kind = "buses", twinId = "ST-" + Guid.NewGuid().ToString("N")[..8],
            lat = 40.81, lon = 49.81, codec = "dragino-lgt92", reportingIntervalSeconds = 30,
        });

        // The counts are the cells' own, and the new bus tells its cell of itself one-way (the cell, in
        // turn, the city): read them until the bus is counted rather than once right after provisioning.
        JsonElement stats = default;
        await Rules.RuleApiKit.Eventually(
            async () => (stats = await _http.GetFromJsonAsync<JsonElement>("/api/v1/twins/stats")).GetProperty("kinds").GetProperty("buses").GetProperty("unknown").GetInt32() >= 1,
            "the new bus counted");

        Assert.True(stats.GetProperty("kinds").GetProperty("buses").GetProperty("unknown").GetInt32() >= 1);
        int sum = stats.GetProperty("online").GetInt32() + stats.GetProperty("offline").GetInt32() + stats.GetProperty("unknown").GetInt32();
        Assert.True(sum >= 1);
    }

    [Fact]
    public async Task City_description_has_routes_and_no_base_layer_by_default()
    {
        JsonElement cityInfo = await _http.GetFromJsonAsync<JsonElement>("/api/v1/city");

        Assert.Equal("Baku", cityInfo.GetProperty("name").GetString());
        Assert.Equal(10, cityInfo.GetProperty("routes").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, cityInfo.GetProperty("baseLayer").GetProperty("url").ValueKind);
    }
}
