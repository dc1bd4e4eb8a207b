using Microsoft.Extensions.Configuration;
using TwinCity.Silo.Hosting;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// <c>JitProfile:Directory</c>: a silo process records the methods it compiled as it stops, and the
/// next start with the same directory and name compiles them ahead; off without the setting.
/// </summary>
public sealed class JitProfileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("twincity-jit-test-").FullName;

    [Fact]
    public void The_file_is_named_after_the_silo_port_unless_a_name_is_given()
    {
        Assert.Equal("silo-11111.jitprofile", JitProfile.FileName(null, null));
        Assert.Equal("silo-22222.jitprofile", JitProfile.FileName("  ", "22222"));
        Assert.Equal("silo-11111.jitprofile", JitProfile.FileName(null, "not a port"));
        Assert.Equal("east-1.jitprofile", JitProfile.FileName(" east-1.jitprofile ", "22222"));
    }

    [Theory]
    [InlineData("../elsewhere.jitprofile")]
    [InlineData("sub/silo.jitprofile")]
    [InlineData("..")]
    public void A_name_with_a_directory_in_it_is_refused(string name)
    {
        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(() => JitProfile.FileName(name, null));
        Assert.Contains("JitProfile:Name", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_directory_nothing_starts()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["JitProfile:Name"] = "x.jitprofile" }).Build();
        Assert.Same(JitProfileStart.Off, JitProfile.Start(configuration));
    }

    [Fact]
    public async Task A_stopped_silo_leaves_its_profile_and_the_next_start_compiles_it_ahead()
    {
        string path = Path.Combine(_directory, "silo-a.jitprofile");

        string first = await RunOnceAsync();
        Assert.Contains("none yet; recording", first, StringComparison.Ordinal);
        Assert.True(File.Exists(path), "the first run left no profile:\n" + first);
        long written = new FileInfo(path).Length;
        Assert.True(written > 10_000, $"the profile holds {written} bytes");

        string second = await RunOnceAsync();
        Assert.Contains($"compiling the previous run's methods ({written / 1024} KiB of profile)", second, StringComparison.Ordinal);
        Assert.True(File.Exists(path), "the second run's profile is missing");
        Assert.DoesNotContain(Directory.EnumerateFiles(_directory), f => f != path);
    }

    /// <summary>One embedded silo process started with the profile, ready, then stopped with SIGTERM; its log.</summary>
    private async Task<string> RunOnceAsync()
    {
        var env = new Dictionary<string, string>
        {
            ["JitProfile__Directory"] = _directory,
            ["JitProfile__Name"] = "silo-a.jitprofile",
            ["Seed__Enabled"] = "false",
            ["Mqtt__Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans__SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DOTNET_gcServer"] = "0",
        };
        await using CityProcess silo = await CityProcess.StartAsync(
            CityProcess.SiloDll, env, ["--urls", $"http://127.0.0.1:{FreePort.Next()}", "--simulate", "0"], "jit-profile");
        await silo.WaitForAsync("/health/ready", TimeSpan.FromSeconds(120));
        Assert.True(await silo.StopAsync(TimeSpan.FromSeconds(60)), "the silo did not stop on SIGTERM:\n" + silo.LogTail());
        return silo.LogTail(400);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
