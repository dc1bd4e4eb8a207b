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
        string log = await RefusedStartAsync(
            new()
            {
                ["Cluster__Insecure"] = "true",
                [givenKey] = givenValue,
            },
            "silo-misconfigured",
            "without " + missingKey);
        Assert.Contains(missingKey, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_silo_without_certificates_refuses_to_start_naming_each_missing_key()
    {
        // Every setting cluster mode needs is there, except TLS on the three hops, and Cluster:Insecure is not set.
        string log = await RefusedStartAsync(
            new()
            {
                ["ConnectionStrings__TwinCity"] = Unreachable,
                ["Mqtt__Host"] = "127.0.0.1",
            },
            "silo-without-tls",
            "without certificates");
        Assert.Contains("Cluster:Tls:Certificate is required", log, StringComparison.Ordinal);
        Assert.Contains("Cluster:Tls:CertificateAuthority is required", log, StringComparison.Ordinal);
        Assert.Contains("Mqtt:Tls:CertificateAuthority is required", log, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:TwinCity must set SSL Mode=VerifyFull", log, StringComparison.Ordinal);
        Assert.Contains("Cluster:Insecure=true", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_history_kept_for_less_than_twins_may_wait_to_snapshot_stops_start_up()
    {
        // A twin changed only by uplinks may leave them out of its snapshot for Twins:SnapshotMaxAge and
        // replay them from the history when it wakes: a history deleted sooner would lose them.
        string log = await RefusedStartAsync(
            new()
            {
                ["Cluster__Insecure"] = "true",
                ["ConnectionStrings__TwinCity"] = Unreachable,
                ["Mqtt__Host"] = "127.0.0.1",
                ["History__Retention"] = "01:30:00",
            },
            "silo-short-history",
            "with a history shorter than twice Twins:SnapshotMaxAge");
        Assert.Contains("History:Retention must be more than twice Twins:SnapshotMaxAge", log, StringComparison.Ordinal);
    }

    /// <summary>A database no silo can reach: start-up checks come before anything connects.</summary>
    private const string Unreachable = "Host=127.0.0.1;Port=1;Username=none;Database=none";

    /// <summary>
    /// Starts a cluster silo with <paramref name="settings"/> over the ports and switches every such
    /// start needs, asserts that it exits with an error, and returns the end of its log.
    /// </summary>
    private static async Task<string> RefusedStartAsync(Dictionary<string, string> settings, string name, string what)
    {
        var env = new Dictionary<string, string>
        {
            ["TwinCity__Mode"] = "Cluster",
            ["Orleans__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Simulator__DevicesPerSecond"] = "0",
            ["DOTNET_gcServer"] = "0",
        };
        foreach ((string key, string value) in settings)
        {
            env[key] = value;
        }

        await using CityProcess silo = await CityProcess.StartAsync(
            CityProcess.SiloDll, env, ["--urls", $"http://127.0.0.1:{FreePort.Next()}"], name);

        // Waiting for the exit also waits for the process's last lines, which name the key, to be read:
        // a fixed pause after the exit may be too short on a busy machine.
        Assert.True(await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"the silo kept running {what}:\n" + silo.LogTail());
        Assert.NotEqual(0, silo.ExitCode);
        return silo.LogTail(200);
    }
}
