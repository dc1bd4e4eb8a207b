using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TwinCity.Web.Tests.Apis;

[Collection(CityCollection.Name)]
public sealed class DevicesApiTests(CityAppFactory city)
{
    private readonly HttpClient _http = city.CreateClient();

    private static string NewDevEui() => Random.Shared.NextInt64(1, long.MaxValue).ToString("X16", System.Globalization.CultureInfo.InvariantCulture);

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..18];

    [Fact]
    public async Task Registered_device_is_readable_and_its_twin_has_the_position()
    {
        string devEui = NewDevEui();
        string id = NewId("SL");
        // Lower case with separators on input, canonical on output.
        string spaced = string.Join("-", Enumerable.Range(0, 8).Select(i => devEui.Substring(i * 2, 2))).ToLowerInvariant();

        HttpResponseMessage created = await _http.PostAsJsonAsync("/api/v1/devices", new
        {
            devEui = spaced, kind = "streetlights", twinId = id, name = "Nizami Street lamp 3",
            lat = 40.3760, lon = 49.8470, codec = "milesight-ws558", reportingIntervalSeconds = 600,
        });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/devices/{devEui}", created.Headers.Location?.OriginalString);
        JsonElement device = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{devEui.ToLowerInvariant()}");
        Assert.Equal(devEui, device.GetProperty("devEui").GetString());
        Assert.Equal(id, device.GetProperty("twinId").GetString());
        Assert.Equal("milesight-ws558", device.GetProperty("codec").GetString());

        HttpResponseMessage twinResponse = await _http.GetAsync($"/api/v1/twins/streetlights/{id}");
        Assert.Equal(HttpStatusCode.OK, twinResponse.StatusCode);
        JsonElement twin = await twinResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(devEui, twin.GetProperty("devEui").GetString());
        Assert.Equal(40.3760, twin.GetProperty("position").GetProperty("lat").GetDouble());
        Assert.Equal(49.8470, twin.GetProperty("position").GetProperty("lon").GetDouble());
        Assert.Equal($"\"{twin.GetProperty("version").GetInt64()}\"", twinResponse.Headers.ETag?.Tag);
    }

    [Theory]
    [InlineData("70B3D57ED00000", "'devEui' must be 16 hex digits")]
    [InlineData("70B3D57ED00000ZZ", "'devEui' must be 16 hex digits")]
    [InlineData("", "'devEui' is required")]
    public async Task Malformed_DevEui_is_refused_with_a_problem_that_says_why(string devEui, string expected)
    {
        HttpResponseMessage response = await _http.PostAsJsonAsync("/api/v1/devices", new
        {
            devEui, kind = "buses", twinId = NewId("BUS"), lat = 40.4, lon = 49.8, codec = "dragino-lgt92", reportingIntervalSeconds = 30,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kind", "lamps", "'kind' must be one of")]
    [InlineData("twinId", "has space", "'twinId' must be letters")]
    [InlineData("lat", "91", "'lat' must be between -90 and 90")]
    [InlineData("codec", "no-such-codec", "'codec' must be one of")]
    [InlineData("codec", "dragino-lgt92", "does not decode streetlights")]
    [InlineData("reportingIntervalSeconds", "0", "'reportingIntervalSeconds' must be between")]
    public async Task Invalid_field_is_named_in_the_problem(string field, string value, string expected)
    {
        var body = new Dictionary<string, object>
        {
            ["devEui"] = NewDevEui(), ["kind"] = "streetlights", ["twinId"] = NewId("SL"),
            ["lat"] = 40.4, ["lon"] = 49.8, ["codec"] = "milesight-ws558", ["reportingIntervalSeconds"] = 600,
        };
        body[field] = value;

        HttpResponseMessage response = await _http.PostAsJsonAsync("/api/v1/devices", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_that_is_not_json_is_a_bad_request()
    {
        HttpResponseMessage response = await _http.PostAsync("/api/v1/devices", new StringContent("{ not json", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid JSON", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_import_keeps_the_good_lines_and_reports_each_bad_line_with_its_number()
    {
        string[] good = [NewDevEui(), NewDevEui(), NewDevEui()];
        string[] ids = [NewId("WM"), NewId("WM"), NewId("WM")];
        string csv = string.Join('\n',
            "devEui,kind,twinId,name,lat,lon,codec,reportingIntervalSeconds,route",
            $"{good[0]},water-meters,{ids[0]},\"Fuzuli Street 12, flat 4\",40.3790,49.8600,axioma-qalcosonic-w1,900,",
            $"NOT-A-DEVEUI,water-meters,{NewId("WM")},bad,40.3790,49.8600,axioma-qalcosonic-w1,900,",
            $"{good[1]},water-meters,{ids[1]},ok,40.3791,49.8601,axioma-qalcosonic-w1,900,",
            $"{NewDevEui()},water-meters,{NewId("WM")},bad,abc,49.8600,axioma-qalcosonic-w1,900,",
            "",
            $"{good[2]},water-meters,{ids[2]},ok,40.3792,49.8602,axioma-qalcosonic-w1,900,",
            $"{good[2]},water-meters,{NewId("WM")},dup,40.3792,49.8602,axioma-qalcosonic-w1,900,");

        HttpResponseMessage response = await _http.PostAsync("/api/v1/devices/import", new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement report = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, report.GetProperty("imported").GetInt32());
        JsonElement[] errors = [.. report.GetProperty("errors").EnumerateArray()];
        Assert.Equal([3, 5, 8], errors.Select(e => e.GetProperty("line").GetInt32()));
        Assert.Contains("'devEui'", errors[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("'lat' must be a number", errors[1].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("already on line 7", errors[2].GetProperty("reason").GetString(), StringComparison.Ordinal);
        for (int i = 0; i < good.Length; i++)
        {
            JsonElement twin = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/water-meters/{ids[i]}");
            Assert.Equal(good[i], twin.GetProperty("devEui").GetString());
        }

        Assert.Equal("Fuzuli Street 12, flat 4", (await _http.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{good[0]}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Ndjson_import_reports_a_line_that_is_not_json_and_keeps_the_rest()
    {
        string a = NewDevEui();
        string b = NewDevEui();
        string idA = NewId("BUS");
        string idB = NewId("BUS");
        string ndjson = string.Join('\n',
            JsonSerializer.Serialize(new { devEui = a, kind = "buses", twinId = idA, lat = 40.40, lon = 49.85, codec = "dragino-lgt92", reportingIntervalSeconds = 30, route = "5" }),
            "{ this is not json",
            JsonSerializer.Serialize(new { devEui = b, kind = "buses", twinId = idB, lat = 40.41, lon = 49.86, codec = "dragino-lgt92", reportingIntervalSeconds = 30 }));

        HttpResponseMessage response = await _http.PostAsync("/api/v1/devices/import", new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"));

        JsonElement report = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, report.GetProperty("imported").GetInt32());
        JsonElement error = Assert.Single(report.GetProperty("errors").EnumerateArray());
        Assert.Equal(2, error.GetProperty("line").GetInt32());
        Assert.StartsWith("not valid JSON", error.GetProperty("reason").GetString(), StringComparison.Ordinal);
        JsonElement bus = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/buses/{idA}");
        Assert.Equal("5", bus.GetProperty("reported").GetProperty("route").GetProperty("value").GetString());
    }

    [Fact]
    public async Task Import_without_the_required_columns_is_refused_as_a_whole()
    {
        HttpResponseMessage response = await _http.PostAsync("/api/v1/devices/import", new StringContent("devEui,kind\nx,y", Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("lacks twinId", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleted_device_is_gone_and_its_twin_unbound()
    {
        string devEui = NewDevEui();
        string id = NewId("RS");
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync("/api/v1/devices", new
        {
            devEui, kind = "road-sensors", twinId = id, lat = 40.39, lon = 49.84, codec = "twincity-traffic-v1", reportingIntervalSeconds = 300,
        })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync($"/api/v1/devices/{devEui}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/api/v1/devices/{devEui}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.DeleteAsync($"/api/v1/devices/{devEui}")).StatusCode);
        JsonElement twin = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/road-sensors/{id}");
        Assert.Equal(JsonValueKind.Null, twin.GetProperty("devEui").ValueKind);
    }

    [Fact]
    public async Task Unknown_device_is_404_and_malformed_devEui_is_400()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/api/v1/devices/{NewDevEui()}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/v1/devices/xyz")).StatusCode);
    }
}
