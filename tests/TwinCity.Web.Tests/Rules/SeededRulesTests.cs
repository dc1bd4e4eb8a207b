using System.Net.Http.Json;
using System.Text.Json;

namespace TwinCity.Web.Tests.Rules;

/// <summary>The embedded city loads the default rules (without the devices, to stay quick).</summary>
public sealed class SeededRulesTests : IClassFixture<SeededRulesTests.RulesOnlyCity>
{
    private readonly RulesOnlyCity _city;

    public SeededRulesTests(RulesOnlyCity city) => _city = city;

    [Fact]
    public async Task The_embedded_city_has_the_four_default_rules()
    {
        using HttpClient http = RuleApiKit.Client(_city);
        await Ingest.IngestTestKit.WaitReadyAsync(http);

        JsonElement[] rules = await http.GetFromJsonAsync<JsonElement[]>("/api/v1/rules") ?? [];

        Assert.Equal(
            ["incident-lights", "lamp-fault-dark", "night-bus-lights", "water-main-hazard"],
            rules.Select(r => r.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        JsonElement night = rules.Single(r => r.GetProperty("id").GetString() == "night-bus-lights");
        Assert.Equal("night", night.GetProperty("activeHours").GetString());
        Assert.Equal("routeAhead", night.GetProperty("scope").GetProperty("type").GetString());
    }

    public sealed class RulesOnlyCity : CityAppFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Seed:Enabled"] = "true",
            ["Seed:Devices"] = "Seed/none.ndjson",
        };
    }
}
