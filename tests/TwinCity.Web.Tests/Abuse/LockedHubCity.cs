using System.Globalization;
using TwinCity.Testing;

namespace TwinCity.Web.Tests.Abuse;

/// <summary>
/// The embedded city behind Kestrel with keyless map viewers turned off, as a cluster always is
/// (API.md: a cluster's viewers need a reader's key); the demo keys stay, for the viewers that have one.
/// </summary>
public sealed class LockedHubCity : IAsyncLifetime
{
    public CityProcess City { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var env = new Dictionary<string, string>
        {
            ["Orleans__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Mqtt__Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Access__AnonymousViewers"] = "false",
            ["Seed__Enabled"] = "false",
            ["Logging__LogLevel__Orleans"] = "Warning",
        };
        City = await CityProcess.StartAsync(CityProcess.SiloDll, env, ["--urls", $"http://127.0.0.1:{FreePort.Next()}", "--simulate", "0"], name: "locked-hub-city");
        await City.WaitForAsync("/health/ready", TimeSpan.FromMinutes(3));
    }

    public async Task DisposeAsync() => await City.DisposeAsync();
}
