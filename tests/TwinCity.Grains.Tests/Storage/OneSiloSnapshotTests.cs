using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;
using TwinCity.Grains.Cluster;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Storage;
using TwinCity.Grains.Tests.Twins;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests.Storage;

/// <summary>
/// Snapshots on a lone silo (<see cref="LocalGrainStorageExtensions.UseOneSiloStorage"/>), where the
/// storage lives in the twins' own process: an active twin keeps no second copy there, even well past
/// its snapshot quiet period, and a twin that leaves memory writes its state on the way out, so it
/// wakes with what it had.
/// </summary>
public sealed class OneSiloSnapshotTests : OwnSiloTests<OneSiloSnapshotTests.OneSilo>
{
    private static readonly TimeSpan IdleAge = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task An_active_twin_writes_no_snapshot_and_one_that_leaves_memory_writes_it_on_the_way_out()
    {
        IGrainFactory grains = Cluster.GrainFactory;
        IManagementGrain management = grains.GetGrain<IManagementGrain>(0);
        IGrainStorage storage = ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(TwinStorage.Name);
        Assert.IsType<LocalGrainStorage>(storage);

        (ITwinGrain expected, ulong expectedEui, _) = await TwinScenario.ProvisionAsync(grains, TwinKind.Streetlight, reportingIntervalSeconds: 60);
        (ITwinGrain quiet, ulong quietEui, _) = await TwinScenario.ProvisionAsync(grains, TwinKind.Streetlight, reportingIntervalSeconds: 1);
        DateTime heard = DateTime.UtcNow;
        await expected.UplinkAsync(new Uplink(expectedEui, 1, heard, [Reading.Of(TwinProperty.DimLevel, 40)]));
        await quiet.UplinkAsync(new Uplink(quietEui, 1, heard, [Reading.Of(TwinProperty.DimLevel, 70)], new RadioInfo(-104, -2.5, "GW-QUIET")));
        long version = (await quiet.GetAsync())!.Version;

        // Provisioned, changed, and then quiet for twice the snapshot quiet period (1 s here): where
        // snapshots are written while active, this twin would have written two by now.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var stored = new GrainState<StreetlightState>();
        await storage.ReadStateAsync(TwinGrain<StreetlightState>.StateName, expected.GetGrainId(), stored);
        Assert.True(await TwinScenario.IsActiveAsync(management, expected));
        Assert.False(stored.RecordExists, "an active twin wrote a copy of itself to the storage in its own process");

        // The quiet device's twin goes offline 2.5 s in and is collected 3 s idle after that.
        await TwinScenario.WaitUntilCollectedAsync(management, quiet);

        await storage.ReadStateAsync(TwinGrain<StreetlightState>.StateName, quiet.GetGrainId(), stored);
        Assert.True(stored.RecordExists, "a collected twin left no snapshot");
        Assert.Equal(70, stored.State!.GetReported(TwinProperty.DimLevel)?.Value.Number);
        Assert.Equal(TwinStatus.Offline, stored.State.Status);

        TwinDocument woken = (await quiet.GetAsync())!;
        Assert.Equal(TwinStatus.Offline, woken.Status);
        Assert.Equal(70, woken.Reported.Single(r => r.Property == TwinProperty.DimLevel).Value.Number);
        Assert.True(woken.Version > version, "going offline was kept");
        Assert.Equal(new RadioInfo(-104, -2.5, "GW-QUIET"), woken.Radio);
    }

    public sealed class OneSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            ClusterFixture.AddTestGrains(siloBuilder);
            siloBuilder.UseOneSiloStorage();
            siloBuilder.UseLoneSiloDirectory();
            siloBuilder.Configure<GrainCollectionOptions>(o =>
            {
                o.CollectionQuantum = TimeSpan.FromSeconds(1);
                o.ClassSpecificCollectionAge[typeof(StreetlightGrain).FullName!] = IdleAge;
            });
        }
    }
}
