using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TwinCity.Web.Tests.Simulation;

/// <summary>
/// The whole loop in one process: the simulator publishes ChirpStack uplinks on the embedded broker,
/// ingest decodes them, the twins change, and the HTTP API shows it.
/// </summary>
public sealed class EmbeddedCitySimulationTests(SimulatedCityAppFactory city) : IClassFixture<SimulatedCityAppFactory>
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// For all the changes the first test waits for, from the city being ready: the simulator plays a
    /// device's turn every few seconds at most, but a busy machine may take a while to work off the
    /// first seconds' thousands of uplinks (and of activations), so the deadline is generous.
    /// </summary>
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http = CreateClient(city);

    [Fact]
    public async Task Twins_of_every_kind_change_as_the_simulated_city_reports()
    {
        await WaitUntilReadyAsync();
        var clock = Stopwatch.StartNew();

        JsonElement bus = await WaitForAsync("buses/BUS-001", t => HasReported(t, "lat") && HasReported(t, "lon"), clock);
        long firstVersion = bus.GetProperty("version").GetInt64();
        double firstLat = Reported(bus, "lat");
        double firstLon = Reported(bus, "lon");

        JsonElement light = await WaitForAsync("streetlights/SL-0001", t => HasReported(t, "on") && HasReported(t, "powerW") && HasReported(t, "energyWh"), clock);
        JsonElement meter = await WaitForAsync("water-meters/WM-0001", t => HasReported(t, "volumeM3") || HasReported(t, "leak"), clock);
        JsonElement counter = await WaitForAsync("road-sensors/RS-0001", t => HasReported(t, "vehicleCount"), clock);
        JsonElement later = await WaitForAsync("buses/BUS-001", t => t.GetProperty("version").GetInt64() > firstVersion + 2, clock);

        Assert.InRange(firstLat, 40.3, 40.5);
        Assert.InRange(firstLon, 49.7, 50.0);
        Assert.True(HasReported(later, "lat") && HasReported(later, "lon"));
        Assert.True(Reported(later, "lat") != firstLat || Reported(later, "lon") != firstLon, "the bus did not move");
        Assert.Equal("online", bus.GetProperty("status").GetString());
        Assert.True(light.GetProperty("radio").GetProperty("rssi").GetDouble() < 0);
        Assert.True(meter.GetProperty("radio").GetProperty("fCnt").GetInt64() >= 1);
        Assert.True(Reported(counter, "vehicleCount") >= 0);
    }

    [Fact]
    public async Task The_simulated_citys_incidents_bursts_lamp_faults_and_buses_fire_the_default_rules()
    {
        await WaitUntilReadyAsync();

        // The night-bus rule as the city loads it, but in force now: whether it is night is the
        // rule engine's own test; here it is the simulated buses that must set it off.
        JsonElement seeded = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Seed", "baku-rules.json"))).RootElement
            .EnumerateArray().Single(r => r.GetProperty("id").GetString() == "night-bus-lights");
        var nightBus = new Dictionary<string, JsonElement>();
        foreach (JsonProperty p in seeded.EnumerateObject().Where(p => p.Name is not ("id" or "activeHours")))
        {
            nightBus[p.Name] = p.Value;
        }

        HttpResponseMessage put = await _http.PutAsJsonAsync("/api/v1/rules/night-bus-lights", nightBus);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        var clock = Stopwatch.StartNew();
        string[] rules = ["incident-lights", "water-main-hazard", "lamp-fault-dark", "night-bus-lights"];
        var fired = new Dictionary<string, JsonElement>();
        while (fired.Count < rules.Length && clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            foreach (string rule in rules.Where(r => !fired.ContainsKey(r)))
            {
                JsonElement firings = await _http.GetFromJsonAsync<JsonElement>($"/api/v1/rules/{rule}/firings?limit=5");
                JsonElement carriedOut = firings.EnumerateArray().FirstOrDefault(f => !f.TryGetProperty("stopped", out JsonElement s) || s.ValueKind == JsonValueKind.Null);
                if (carriedOut.ValueKind == JsonValueKind.Object)
                {
                    fired[rule] = carriedOut.Clone();
                }
            }

            await Task.Delay(500);
        }

        Assert.True(fired.Count == rules.Length, $"rules that did not fire within 120 s: {string.Join(", ", rules.Where(r => !fired.ContainsKey(r)))}");

        // Each firing names the twin that set it off, of the kind the rule watches, and what it reached or whom it alerted.
        Assert.StartsWith("road-sensors/", fired["incident-lights"].GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("water-meters/", fired["water-main-hazard"].GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Contains("roads", fired["water-main-hazard"].GetProperty("alerted").EnumerateArray().Select(a => a.GetString()));
        Assert.StartsWith("streetlights/", fired["lamp-fault-dark"].GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Contains("azerishig", fired["lamp-fault-dark"].GetProperty("alerted").EnumerateArray().Select(a => a.GetString()));
        Assert.StartsWith("buses/", fired["night-bus-lights"].GetProperty("source").GetString(), StringComparison.Ordinal);
    }

    private static HttpClient CreateClient(SimulatedCityAppFactory factory)
    {
        // The factory's clients carry the city's key.
        return factory.CreateClient();
    }

    private async Task WaitUntilReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            HttpResponseMessage response = await _http.GetAsync("/health/ready");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(clock.Elapsed < ReadyTimeout, "the city was not ready in time: " + await response.Content.ReadAsStringAsync());
            await Task.Delay(250);
        }
    }

    private async Task<JsonElement> WaitForAsync(string twin, Func<JsonElement, bool> condition, Stopwatch clock)
    {
        JsonElement last = default;
        while (clock.Elapsed < ChangeTimeout)
        {
            HttpResponseMessage response = await _http.GetAsync($"/api/v1/twins/{twin}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                last = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (condition(last))
                {
                    return last;
                }
            }

            await Task.Delay(200);
        }

        Assert.Fail($"{twin} did not change as expected within {ChangeTimeout.TotalSeconds} s of the city being ready; last seen: {(last.ValueKind == JsonValueKind.Undefined ? "nothing" : last.GetRawText())}");
        return last;
    }

    private static bool HasReported(JsonElement twin, string property) =>
        twin.TryGetProperty("reported", out JsonElement reported) && reported.ValueKind == JsonValueKind.Object && reported.TryGetProperty(property, out _);

    private static double Reported(JsonElement twin, string property)
    {
        JsonElement value = twin.GetProperty("reported").GetProperty(property).GetProperty("value");
        return value.ValueKind switch
        {
            JsonValueKind.True => 1,
            JsonValueKind.False => 0,
            _ => value.GetDouble(),
        };
    }
}
