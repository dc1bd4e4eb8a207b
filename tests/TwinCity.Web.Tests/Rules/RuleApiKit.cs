using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Tests.Rules;

/// <summary>Rules and devices through the real API, each test on its own patch of the map.</summary>
public static class RuleApiKit
{
    public static HttpClient Client<T>(WebApplicationFactory<T> city)
        where T : class
    {
        HttpClient http = city.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", "dev-city");
        return http;
    }

    public static Task<HttpResponseMessage> PutRuleAsync(HttpClient http, string id, string json) =>
        http.PutAsync($"/api/v1/rules/{id}", new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Rule 1 of the defaults, confined to an area around (lat, lon).</summary>
    public static string IncidentRule(double lat, double lon) => $$"""
        {
          "description": "Incident: lights within 300 m to full",
          "trigger": {
            "kind": "road-sensors",
            "any": [ { "property": "incident", "op": "==", "value": true } ],
            "within": { "minLon": {{F(lon - 0.02)}}, "minLat": {{F(lat - 0.02)}}, "maxLon": {{F(lon + 0.02)}}, "maxLat": {{F(lat + 0.02)}} }
          },
          "scope": { "type": "radius", "metres": 300 },
          "effects": [ { "type": "command", "kind": "streetlights", "command": "dim", "args": { "level": 100 } } ],
          "durationSeconds": 1800,
          "cooldownSeconds": 600
        }
        """;

    public static async Task<(ITwinGrain Twin, ulong DevEui)> ProvisionAsync<T>(WebApplicationFactory<T> city, HttpClient http, string kind, double lat, double lon)
        where T : class
    {
        string devEui = Ingest.IngestTestKit.NewDevEui();
        string id = $"RU-{Guid.NewGuid():N}"[..16];
        HttpResponseMessage response = await http.PostAsJsonAsync("/api/v1/devices", new
        {
            devEui, kind, twinId = id, name = id, lat, lon, codec = "cayenne-lpp", reportingIntervalSeconds = 600,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(DevEui.TryParse(devEui, out ulong eui));
        TwinKind twinKind = TwinKinds.TryParse(kind, out TwinKind k) ? k : throw new ArgumentException(kind);
        return (city.Services.GetRequiredService<IGrainFactory>().GetTwin(twinKind, id), eui);
    }

    public static async Task Eventually(Func<Task<bool>> condition, string what, double seconds = 20)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {seconds} s: {what}");
            await Task.Delay(50);
        }
    }

    private static string F(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
