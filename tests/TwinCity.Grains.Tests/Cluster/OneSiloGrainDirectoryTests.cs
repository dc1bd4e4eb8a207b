using Microsoft.Extensions.DependencyInjection;
using Orleans.GrainDirectory;
using Orleans.Runtime.GrainDirectory;
using Orleans.TestingHost;
using TwinCity.Grains.Cluster;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Storage;
using TwinCity.Grains.Tests.Twins;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests.Cluster;

/// <summary>
/// A lone silo (<see cref="LocalGrainStorageExtensions.UseOneSiloStorage"/>) keeps no grain directory:
/// grains still have one activation each, however many callers reach a grain at once, and a grain that
/// left memory is made anew, with its state, on its next call. (<see cref="Storage.OneSiloSnapshotTests"/> has a twin
/// leave memory and wake with its state on the same configuration.)
/// </summary>
public sealed class OneSiloGrainDirectoryTests : OwnSiloTests<OneSiloGrainDirectoryTests.OneSilo>
{
    [Fact]
    public async Task Callers_that_reach_a_grain_at_once_reach_one_activation_though_the_directory_keeps_nothing_and_answers_with_this_silo()
    {
        IGrainFactory grains = Cluster.GrainFactory;
        IServiceProvider silo = ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services;
        IGrainDirectoryResolver resolver = Assert.Single(silo.GetServices<IGrainDirectoryResolver>(), r => r is OneSiloGrainDirectory);
        Assert.IsType<OneSiloGrainDirectory>(silo.GetRequiredService<IGrainDirectoryCache>());

        // Forty twins never seen, each called by 25 callers at the same moment.
        string[] ids = [.. Enumerable.Range(0, 40).Select(i => $"DIR-{Guid.NewGuid():N}"[..16])];
        using var start = new ManualResetEventSlim();
        Task<TwinDocument?>[] calls = [.. ids.SelectMany(id => Enumerable.Range(0, 25).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await grains.GetTwin(TwinKind.Streetlight, id).GetAsync();
        })))];
        start.Set();
        await Task.WhenAll(calls);

        DetailedGrainStatistic[] stats = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        foreach (string id in ids)
        {
            GrainId grainId = grains.GetTwin(TwinKind.Streetlight, id).GetGrainId();
            Assert.Single(stats, s => s.GrainId == grainId);
            Assert.True(resolver.TryResolveGrainDirectory(grainId.Type, null, out IGrainDirectory? directory));
            Assert.Equal(silo.GetRequiredService<ILocalSiloDetails>().SiloAddress, (await directory.Lookup(grainId))?.SiloAddress);
        }

        // A provisioned twin takes 50 uplinks sent at once, every one of them, on its one activation.
        (ITwinGrain twin, ulong devEui, _) = await TwinScenario.ProvisionAsync(grains, TwinKind.Streetlight);
        long before = (await twin.GetAsync())!.Version;
        DateTime at = DateTime.UtcNow;
        UplinkOutcome[] outcomes = await Task.WhenAll(Enumerable.Range(1, 50).Select(f =>
            Task.Run(async () => await twin.UplinkAsync(new Uplink(devEui, (uint)f, at.AddMilliseconds(f), [Reading.Of(TwinProperty.EnergyWh, f)])))));
        Assert.All(outcomes, o => Assert.Equal(UplinkOutcome.Applied, o));
        TwinDocument after = (await twin.GetAsync())!;
        Assert.Equal(before + 50, after.Version);
    }

    [Fact]
    public async Task A_grain_that_leaves_memory_after_every_call_is_found_again_on_each_next_call()
    {
        // A device grain leaves memory after each call; with no directory to remember it, every next
        // call must make it anew on this silo and find its registration in the silo's storage.
        IGrainFactory grains = Cluster.GrainFactory;
        IManagementGrain management = grains.GetGrain<IManagementGrain>(0);
        (_, ulong devEui, string twinId) = await TwinScenario.ProvisionAsync(grains, TwinKind.WaterMeter);
        IDeviceGrain device = grains.GetDevice(devEui);

        for (int call = 0; call < 20; call++)
        {
            Assert.Equal(twinId, (await device.GetAsync())?.TwinId);
            DateTime deadline = DateTime.UtcNow.AddSeconds(10);
            while (await TwinScenario.IsActiveAsync(management, device))
            {
                Assert.True(DateTime.UtcNow < deadline, "the device grain stayed in memory after its call");
                await Task.Delay(20);
            }
        }
    }

    public sealed class OneSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            ClusterFixture.AddTestGrains(siloBuilder);
            siloBuilder.UseOneSiloStorage();
            siloBuilder.UseLoneSiloDirectory();
        }
    }
}
