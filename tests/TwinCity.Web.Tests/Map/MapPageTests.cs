using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using TwinCity.Testing;
using Xunit.Abstractions;

namespace TwinCity.Web.Tests.Map;

/// <summary>
/// The live map in a real browser (Debian's Chromium, headless) against the real embedded city
/// run as its own process with the seed city and no simulator: the seed's markers appear, an
/// uplink sent through the ChirpStack HTTP integration changes its streetlight's marker, and a
/// click on the marker shows the twin in the panel, kept live through the hub.
/// </summary>
public sealed class MapPageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Key = "dev-city";
    private const string Lamp = "streetlights/SL-0001";
    private const string LampDevEui = "70B3D57ED0010001";

    private readonly List<string> _browserLog = [];
    private CityProcess? _city;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        var env = new Dictionary<string, string>
        {
            ["Orleans__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Mqtt__Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            // Orleans' placement logs every call through Polly at Information: keep the log readable.
            ["Logging__LogLevel__Polly"] = "Warning",
        };
        string url = $"http://127.0.0.1:{FreePort.Next()}";
        _city = await CityProcess.StartAsync(CityProcess.SiloDll, env, ["--urls", url, "--simulate", "0"], name: "map-city");

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });

        await _city.WaitForAsync("/health/ready", TimeSpan.FromMinutes(3));
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_city is not null)
        {
            await _city.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_uplink_shows_on_the_streetlights_marker_and_in_its_panel()
    {
        try
        {
            await ShowUplinkOnTheMapAsync();
        }
        catch
        {
            output.WriteLine($"city log ({_city?.LogPath}), last lines:\n{_city?.LogTail(60)}");
            lock (_browserLog)
            {
                output.WriteLine($"browser console:\n{string.Join('\n', _browserLog)}");
            }

            throw;
        }
    }

    private async Task ShowUplinkOnTheMapAsync()
    {
        CityProcess city = _city!;
        // A headless browser drawing the whole city on a busy machine can take seconds for what takes
        // milliseconds on a quick one: every wait below is generous, and costs nothing when it is quick.
        Assertions.SetDefaultExpectTimeout(30_000);
        IPage page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        page.Console += (_, message) => Log($"{message.Type}: {message.Text}");
        page.PageError += (_, error) => Log($"page error: {error}");

        await page.GotoAsync(city.BaseUrl.ToString());

        // The whole seed city is in view at first, so the page watches all of it.
        await page.WaitForFunctionAsync("() => window.twinCity && window.twinCity.markers.size > 1000", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#conn")).ToHaveAttributeAsync("data-state", "connected");
        await Assertions.Expect(page.Locator("[data-twin=\"buses/BUS-001\"]")).ToHaveCountAsync(1);
        await page.WaitForFunctionAsync("() => Number(document.getElementById('twin-count').dataset.count) > 1000");

        using var http = new HttpClient { BaseAddress = city.BaseUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);

        await SendUplinkAsync(http, fCnt: 101, dimLevel: 37);
        await page.WaitForFunctionAsync(
            "key => window.twinCity.markers.get(key)?.values?.dimLevel === 37",
            Lamp,
            new PageWaitForFunctionOptions { Timeout = 30_000 });

        // Buses may stand near the lamp: hide them (the kind filter), then zoom onto the lamp and click it.
        await page.Locator("#filters input[data-kind=\"buses\"]").UncheckAsync();
        await Assertions.Expect(page.Locator("[data-twin^=\"buses/\"]")).ToHaveCountAsync(0);
        JsonElement point = await page.EvaluateAsync<JsonElement>(
            """
            async key => {
              const map = window.twinCity.map;
              const twin = window.twinCity.markers.get(key);
              await new Promise(done => { map.once('moveend', done); map.setView([twin.lat, twin.lon], 18, { animate: false }); });
              const p = map.latLngToContainerPoint([twin.lat, twin.lon]);
              return { x: p.x, y: p.y };
            }
            """,
            Lamp);
        await page.Locator("#map").ClickAsync(new LocatorClickOptions
        {
            Position = new Position { X = point.GetProperty("x").GetSingle(), Y = point.GetProperty("y").GetSingle() },
        });

        ILocator panel = page.Locator("#panel");
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await Assertions.Expect(panel).ToHaveAttributeAsync("data-twin", Lamp);
        await Assertions.Expect(panel.Locator("[data-prop=\"dimLevel\"]")).ToHaveTextAsync("37");
        await Assertions.Expect(panel.Locator("[data-prop=\"on\"]")).ToHaveTextAsync("true");

        // The panel follows the twin (WatchTwin) without another click.
        await SendUplinkAsync(http, fCnt: 102, dimLevel: 55);
        await Assertions.Expect(panel.Locator("[data-prop=\"dimLevel\"]")).ToHaveTextAsync("55");
        await page.WaitForFunctionAsync(
            "key => window.twinCity.markers.get(key)?.values?.dimLevel === 55",
            Lamp,
            new PageWaitForFunctionOptions { Timeout = 30_000 });

        // Back to the whole city, buses shown again, for the picture.
        await page.Locator("#filters input[data-kind=\"buses\"]").CheckAsync();
        await page.Locator(".fit-city a").ClickAsync();
        await page.WaitForFunctionAsync("() => window.twinCity.markers.size > 1000", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-twin=\"buses/BUS-001\"]")).ToHaveCountAsync(1);
        await page.WaitForTimeoutAsync(1000);

        string dir = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(dir);
        string screenshot = Path.Combine(dir, "map.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot });
        output.WriteLine($"screenshot: {screenshot}");

        await city.KillAsync();
    }

    /// <summary>A ChirpStack v4 uplink for the lamp through the HTTP integration, decoded by the network server.</summary>
    private static async Task SendUplinkAsync(HttpClient http, int fCnt, int dimLevel)
    {
        var uplink = new
        {
            deduplicationId = Guid.NewGuid().ToString(),
            time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            deviceInfo = new { applicationId = "city", devEui = LampDevEui },
            fCnt,
            fPort = 85,
            @object = new { on = true, dimLevel },
        };
        using HttpResponseMessage response = await http.PostIngestAsJsonAsync("/api/v1/ingest/chirpstack?event=up", uplink);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"the uplink was refused: {(int)response.StatusCode} {body}");
    }

    private void Log(string line)
    {
        lock (_browserLog)
        {
            _browserLog.Add(line);
        }
    }
}
