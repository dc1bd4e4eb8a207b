using System.Globalization;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>A silo in cluster mode with a missing setting does not start, and says which key is wrong.</summary>
public sealed class ClusterSettingsTests
{
    [Theory]
    [InlineData("ConnectionStrings:TwinCity", "Mqtt__Host", "127.0.0.1")]
    [InlineData("Mqtt:Host", "ConnectionStrings__TwinCity", "Host=127.0.0.1;Port=1;Username=none;Database=none")]
    public async Task A_missing_cluster_setting_stops_start_up_naming_the_key(string missingKey, string givenKey, string givenValue)
    {
        var env = new Dictionary<string, string>
        {
            ["TwinCity__Mode"] = "Cluster",
            [givenKey] = givenValue,
            ["Orleans__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Simulator__DevicesPerSecond"] = "0",
            ["DOTNET_gcServer"] = "0",
        };
        await using CityProcess silo = await CityProcess.StartAsync(
            CityProcess.SiloDll, env, ["--urls", $"http://127.0.0.1:{FreePort.Next()}"], "silo-misconfigured");

        // Waiting for the exit also waits for the process's last lines, which name the key, to be read:
        // a fixed pause after the exit may be too short on a busy machine.
        Assert.True(await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the silo kept running without " + missingKey + ":\n" + silo.LogTail());
        Assert.NotEqual(0, silo.ExitCode);
        Assert.Contains(missingKey, silo.LogTail(200), StringComparison.Ordinal);
    }
}
