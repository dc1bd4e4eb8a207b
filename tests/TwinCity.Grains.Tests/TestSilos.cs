using Orleans.TestingHost;

namespace TwinCity.Grains.Tests;

/// <summary>
/// An Orleans test cluster of <paramref name="silos"/> silos, each configured by
/// <typeparamref name="TConfigurator"/>: deployed before the tests that use it, stopped after them.
/// </summary>
public abstract class TestSilos<TConfigurator>(short silos) : IAsyncLifetime
    where TConfigurator : ISiloConfigurator, new()
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(silos);
        builder.AddSiloBuilderConfigurator<TConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
