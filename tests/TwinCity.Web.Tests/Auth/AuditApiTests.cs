using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TwinCity.Web.Tests.Ingest;

namespace TwinCity.Web.Tests.Auth;

/// <summary>The audit trail through the real API: commands and device changes with who, what, when and the outcome.</summary>
[Collection(CityCollection.Name)]
public sealed class AuditApiTests(CityAppFactory city)
{
    [Fact]
    public async Task A_command_and_a_device_registration_are_audited_and_an_agency_sees_only_its_own()
    {
        DateTime before = DateTime.UtcNow.AddSeconds(-1);
        using HttpClient operatorClient = city.CreateClient();
        using HttpClient electricity = city.ClientWithKey(TestKeys.Azerishig);
        using HttpClient water = city.ClientWithKey(TestKeys.Azersu);
        (string devEui, string id) = await IngestTestKit.ProvisionAsync(operatorClient, "streetlights", "milesight-ws558", "SLU");

        HttpResponseMessage issued = await electricity.PostAsJsonAsync($"/api/v1/twins/streetlights/{id}/commands", new { name = "dim", args = new { level = 30 } });
        Assert.Equal(HttpStatusCode.Accepted, issued.StatusCode);
        HttpResponseMessage refused = await water.PostAsJsonAsync($"/api/v1/twins/streetlights/{id}/commands", new { name = "dim", args = new { level = 90 } });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        JsonElement[] all = await ItemsAsync(operatorClient, $"/api/v1/audit?from={before:O}");
        JsonElement registration = Assert.Single(all, e => e.GetProperty("target").GetString() == devEui);
        Assert.Equal("city", registration.GetProperty("agency").GetString());
        Assert.Equal("device.register", registration.GetProperty("action").GetString());
        Assert.Equal("registered", registration.GetProperty("outcome").GetString());
        Assert.Equal("streetlights", registration.GetProperty("kind").GetString());
        Assert.Contains(id, registration.GetProperty("details").GetString(), StringComparison.Ordinal);
        Assert.True(registration.GetProperty("at").GetDateTime().ToUniversalTime() >= before);

        JsonElement command = Assert.Single(all, e => e.GetProperty("target").GetString() == id && e.GetProperty("agency").GetString() == "azerishig");
        Assert.Equal("command.dim", command.GetProperty("action").GetString());
        Assert.Equal("accepted", command.GetProperty("outcome").GetString());
        JsonElement forbidden = Assert.Single(all, e => e.GetProperty("target").GetString() == id && e.GetProperty("agency").GetString() == "azersu");
        Assert.Equal("forbidden", forbidden.GetProperty("outcome").GetString());

        JsonElement[] own = await ItemsAsync(electricity, $"/api/v1/audit?kind=streetlights&from={before:O}");
        Assert.NotEmpty(own);
        Assert.All(own, e => Assert.Equal("azerishig", e.GetProperty("agency").GetString()));
        Assert.Contains(own, e => e.GetProperty("target").GetString() == id);
        Assert.DoesNotContain(own, e => e.GetProperty("target").GetString() == devEui);

        JsonElement[] waterOwn = await ItemsAsync(water, $"/api/v1/audit?from={before:O}");
        Assert.All(waterOwn, e => Assert.Equal("azersu", e.GetProperty("agency").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await water.GetAsync("/api/v1/audit?agency=azerishig")).StatusCode);

        JsonElement[] filtered = await ItemsAsync(operatorClient, $"/api/v1/audit?agency=azersu&from={before:O}");
        Assert.All(filtered, e => Assert.Equal("azersu", e.GetProperty("agency").GetString()));
        Assert.Contains(filtered, e => e.GetProperty("target").GetString() == id);
    }

    [Fact]
    public async Task A_deleted_device_is_audited()
    {
        using HttpClient operatorClient = city.CreateClient();
        (string devEui, _) = await IngestTestKit.ProvisionAsync(operatorClient, "water-meters", "axioma-qalcosonic-w1", "WMU");

        Assert.Equal(HttpStatusCode.NoContent, (await operatorClient.DeleteAsync($"/api/v1/devices/{devEui}")).StatusCode);

        JsonElement[] all = await ItemsAsync(operatorClient, "/api/v1/audit?agency=city&kind=water-meters");
        JsonElement deleted = Assert.Single(all, e => e.GetProperty("target").GetString() == devEui && e.GetProperty("action").GetString() == "device.delete");
        Assert.Equal("deleted", deleted.GetProperty("outcome").GetString());
    }

    [Theory]
    [InlineData("agency=police", "'agency'")]
    [InlineData("kind=trams", "'kind'")]
    [InlineData("from=yesterday", "'from'")]
    [InlineData("to=2026-13-40", "'to'")]
    [InlineData("from=2026-11-26T00:00:00Z&to=2026-11-25T00:00:00Z", "'from' must not be after 'to'")]
    [InlineData("limit=0", "'limit'")]
    [InlineData("limit=many", "'limit'")]
    public async Task A_bad_query_is_400_naming_the_parameter(string query, string expected)
    {
        using HttpClient operatorClient = city.CreateClient();

        HttpResponseMessage response = await operatorClient.GetAsync("/api/v1/audit?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement[]> ItemsAsync(HttpClient client, string uri)
    {
        HttpResponseMessage response = await client.GetAsync(new Uri(uri.Replace("+", "%2B", StringComparison.Ordinal), UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. body.GetProperty("items").EnumerateArray()];
    }
}
