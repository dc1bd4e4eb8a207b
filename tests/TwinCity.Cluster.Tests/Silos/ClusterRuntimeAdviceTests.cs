using TwinCity.Silo.Hosting;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>A cluster silo names, at start-up, the runtime settings the README asks of it that it runs without.</summary>
public sealed class ClusterRuntimeAdviceTests
{
    [Fact]
    public void Both_settings_are_named_when_neither_is_set()
    {
        Assert.Equal(["DOTNET_TieredPGO=0", "DOTNET_TC_QuickJit=0"], ClusterRuntimeAdvice.Missing(_ => null, _ => null));
    }

    [Theory]
    [InlineData("DOTNET_TieredPGO", "0")]
    [InlineData("COMPlus_TieredPGO", "0")]
    [InlineData("DOTNET_TieredPGO", "false")]
    public void A_setting_turned_off_in_the_environment_is_not_named(string variable, string value)
    {
        string[] missing = ClusterRuntimeAdvice.Missing(name => name == variable ? value : null, _ => null);
        Assert.Equal(["DOTNET_TC_QuickJit=0"], missing);
    }

    [Fact]
    public void A_setting_turned_off_in_the_runtime_configuration_is_not_named()
    {
        string[] missing = ClusterRuntimeAdvice.Missing(_ => null, name => name == "System.Runtime.TieredCompilation.QuickJit" ? false : null);
        Assert.Equal(["DOTNET_TieredPGO=0"], missing);
    }

    [Fact]
    public void A_setting_turned_on_is_named()
    {
        string[] missing = ClusterRuntimeAdvice.Missing(name => name.EndsWith("QuickJit", StringComparison.Ordinal) ? "1" : "0", _ => null);
        Assert.Equal(["DOTNET_TC_QuickJit=0"], missing);
    }
}
