using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;
using TwinCity.Grains;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests;

/// <summary>A two-silo Orleans test cluster with the grains' real configuration and in-memory storage.</summary>
public sealed class ClusterFixture() : TestSilos<ClusterFixture.SiloConfigurator>(2)
{
    public IGrainFactory Grains => Cluster.GrainFactory;

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

    public sealed class SiloConfigurator : ISiloConfigurator
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
