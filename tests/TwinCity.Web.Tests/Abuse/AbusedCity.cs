using System.Globalization;
using TwinCity.Testing;

namespace TwinCity.Web.Tests.Abuse;

/// <summary>
/// The embedded city as its own process behind Kestrel (body size limits and request parsing are
/// Kestrel's, which an in-memory test server does not have), without the simulator, shared by the
/// abuse tests.
/// </summary>
public sealed class AbusedCity : IAsyncLifetime
{
    public CityProcess City { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var env = new Dictionary<string, string>
        {
            ["Orleans__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Mqtt__Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Debug",
            ["Logging__LogLevel__Polly"] = "Warning",
            ["Logging__LogLevel__Orleans"] = "Warning",
        };
        City = await CityProcess.StartAsync(CityProcess.SiloDll, env, ["--urls", $"http://127.0.0.1:{FreePort.Next()}", "--simulate", "0"], name: "abused-city");
        await City.WaitForAsync("/health/ready", TimeSpan.FromMinutes(3));
    }

    public async Task DisposeAsync() => await City.DisposeAsync();
}
