using Orleans.TestingHost;

namespace TwinCity.Grains.Tests;

/// <summary>
/// A test class with a one-silo cluster of its own, for behaviour that needs the silo configured
/// its own way (idle collection ages, the lone silo's storage, a long batch window) and so cannot
/// share <see cref="ClusterFixture"/>'s. <typeparamref name="TConfigurator"/> configures the silo.
/// </summary>
public abstract class OwnSiloTests<TConfigurator> : IAsyncLifetime
    where TConfigurator : ISiloConfigurator, new()
{
    protected TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
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
