using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;
using TwinCity.Grains;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests;

/// <summary>A two-silo Orleans test cluster with the grains' real configuration and in-memory storage.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>What every test silo of the grains runs: the grains' real configuration over in-memory storage.</summary>
    public static void AddTestGrains(ISiloBuilder siloBuilder)
    {
        ArgumentNullException.ThrowIfNull(siloBuilder);
        siloBuilder.AddTwinCityGrains();
        siloBuilder.AddMemoryGrainStorage(TwinStorage.Name);
        siloBuilder.AddMemoryGrainStorage(TwinStorage.Registry);
        siloBuilder.UseInMemoryReminderService();
        siloBuilder.Services.Configure<TwinOptions>(o => o.SnapshotQuietPeriod = TimeSpan.FromSeconds(1));
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            AddTestGrains(siloBuilder);

            // Both silos are equally idle here, so resource-optimised placement keeps choosing one of them;
            // random placement spreads twins, so that rules are exercised across silos.
            siloBuilder.Services.AddSingleton<PlacementStrategy, RandomPlacement>();
        }
    }
}
