using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Tests.Twins;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests.Storage;

/// <summary>
/// A twin whose snapshot was written by another activation since it woke (two activations of one
/// grain for a moment, as Orleans' default directory allows while a silo leaves) does not keep
/// trying to write over it with its old version: it ends, and the next call wakes the twin from what
/// the store holds.
/// </summary>
public sealed class SupersededTwinTests : IClassFixture<SupersededTwinTests.Silo>
{
    private readonly IGrainFactory _grains;
    private readonly IManagementGrain _management;

    public SupersededTwinTests(Silo silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        _grains = silo.Cluster.GrainFactory;
        _management = _grains.GetGrain<IManagementGrain>(0);
    }

    [Fact]
    public async Task A_twin_that_meets_a_newer_snapshot_ends_and_wakes_from_it()
    {
        (ITwinGrain lamp, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, TwinKind.Streetlight);
        await lamp.UplinkAsync(new Uplink(devEui, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.DimLevel, 30)]));
        long mine = (await lamp.GetAsync())!.Version;

        // Another activation of the same twin writes first: its snapshot says something this one never saw.
        IGrainStorage store = Silo.Inner!;
        var other = new GrainState<StreetlightState>();
        await store.ReadStateAsync(TwinGrain<StreetlightState>.StateName, lamp.GetGrainId(), other);
        Assert.True(other.RecordExists);
        other.State!.Version = mine + 1_000;
        await store.WriteStateAsync(TwinGrain<StreetlightState>.StateName, lamp.GetGrainId(), other);

        // This one's own write (due a second after its uplink) meets the newer version and the activation ends.
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (await TwinScenario.IsActiveAsync(_management, lamp))
        {
            Assert.True(DateTime.UtcNow < deadline, "the superseded activation stayed active, retrying its write");
            await Task.Delay(200);
        }

        // Woken again, it is the twin the store holds.
        Assert.Equal(mine + 1_000, (await lamp.GetAsync())!.Version);
    }

    /// <summary>One silo whose twin store the test can also write to, as another activation would.</summary>
    public sealed class Silo() : TestSilos<Silo.Configurator>(1)
    {
        public static IGrainStorage? Inner { get; private set; }

        public sealed class Configurator : ISiloConfigurator
        {
            public void Configure(ISiloBuilder siloBuilder)
            {
                ClusterFixture.AddTestGrains(siloBuilder);
                siloBuilder.AddMemoryGrainStorage("twin-inner");
                siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(TwinStorage.Name, (sp, _) =>
                    Inner = sp.GetRequiredKeyedService<IGrainStorage>("twin-inner"));
            }
        }
    }
}
