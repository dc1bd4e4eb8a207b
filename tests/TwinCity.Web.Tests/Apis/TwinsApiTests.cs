using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TwinCity.Web.Tests.Apis;

[Collection(CityCollection.Name)]
public sealed class TwinsApiTests(CityAppFactory city)
{
    private readonly HttpClient _http = city.CreateClient();

    [Fact]
    public async Task Unknown_twin_is_a_404_problem()
    {
        HttpResponseMessage response = await _http.GetAsync("/api/v1/twins/streetlights/SL-does-not-exist");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("streetlights/SL-does-not-exist", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_kind_is_a_404_and_a_bad_id_a_400()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/v1/twins/lamps/X-1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync($"/api/v1/twins/buses/{new string('x', 65)}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/v1/twins/buses/a%20b")).StatusCode);
    }

    [Fact]
    public async Task Twin_document_has_the_shape_of_the_contract_and_honours_If_None_Match()
    {
        string devEui = Random.Shared.NextInt64(1, long.MaxValue).ToString("X16", System.Globalization.CultureInfo.InvariantCulture);
        string id = $"WM-{Guid.NewGuid():N}"[..16];
        await _http.PostAsJsonAsync("/api/v1/devices", new
        {
            devEui, kind = "water-meters", twinId = id, lat = 40.38, lon = 49.85, codec = "axioma-qalcosonic-w1", reportingIntervalSeconds = 900,
        });

        HttpResponseMessage response = await _http.GetAsync($"/api/v1/twins/water-meters/{id}");
        JsonElement doc = await response.Content.ReadFromJsonAsync<JsonElement>();

        foreach (string field in new[] { "kind", "id", "devEui", "version", "status", "lastSeen", "position", "reported", "desired", "delta", "radio", "commands" })
        {
            Assert.True(doc.TryGetProperty(field, out _), $"the twin document lacks '{field}'");
        }

        Assert.Equal("water-meters", doc.GetProperty("kind").GetString());
        Assert.Equal("unknown", doc.GetProperty("status").GetString());
        var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/twins/water-meters/{id}");
        conditional.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(response.Headers.ETag!.Tag));
        Assert.Equal(HttpStatusCode.NotModified, (await _http.SendAsync(conditional)).StatusCode);
    }

    [Fact]
    public async Task Health_and_openapi_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/ready")).StatusCode);
        JsonElement openApi = await _http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/v1/twins/{kind}/{id}", out _));
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/v1/devices/import", out _));
    }
}
