using System.Globalization;
using TwinCity.Testing;

namespace TwinCity.Web.Tests.Abuse;

/// <summary>
/// The embedded city as its own process behind Kestrel (body size limits, request parsing and
/// WebSocket upgrades are Kestrel's, which an in-memory test server does not have), without the
/// simulator. Subclasses add their settings.
/// </summary>
public abstract class KestrelCity : IAsyncLifetime
{
    public CityProcess City { get; private set; } = null!;

    /// <summary>The process name in the test's logs.</summary>
    protected abstract string Name { get; }

    /// <summary>The address Kestrel binds; the tests reach it on 127.0.0.1 either way.</summary>
    protected virtual string ListenHost => "127.0.0.1";

    /// <summary>Environment variables on top of the free ports.</summary>
    protected abstract IReadOnlyDictionary<string, string> Settings { get; }

    public async Task InitializeAsync()
    {
        var env = new Dictionary<string, string>
        {
            ["Orleans__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Mqtt__Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Orleans"] = "Warning",
        };
        foreach ((string key, string value) in Settings)
        {
            env[key] = value;
        }

        City = await CityProcess.StartAsync(CityProcess.SiloDll, env, ["--urls", $"http://{ListenHost}:{FreePort.Next()}", "--simulate", "0"], name: Name);
        await City.WaitForAsync("/health/ready", TimeSpan.FromMinutes(3));
    }

    public async Task DisposeAsync() => await City.DisposeAsync();
}
