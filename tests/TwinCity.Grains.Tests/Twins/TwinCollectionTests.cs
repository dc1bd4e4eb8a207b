using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests.Twins;

/// <summary>
/// Idle collection as the silo runs it, on a silo of its own whose streetlights are collected after
/// 3 s idle: a twin whose device is expected stays, one whose device went quiet gives its memory back.
/// </summary>
public sealed class TwinCollectionTests : OwnSiloTests<TwinCollectionTests.QuickCollection>
{
    private static readonly TimeSpan IdleAge = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task An_offline_twin_is_collected_once_idle_and_wakes_with_its_state()
    {
        IGrainFactory grains = Cluster.GrainFactory;
        IManagementGrain management = grains.GetGrain<IManagementGrain>(0);
        (ITwinGrain expected, ulong expectedEui, _) = await TwinScenario.ProvisionAsync(grains, TwinKind.Streetlight, reportingIntervalSeconds: 60);
        (ITwinGrain quiet, ulong quietEui, _) = await TwinScenario.ProvisionAsync(grains, TwinKind.Streetlight, reportingIntervalSeconds: 1);
        DateTime heard = DateTime.UtcNow;
        await expected.UplinkAsync(new Uplink(expectedEui, 1, heard, [Reading.Of(TwinProperty.DimLevel, 40)]));
        await quiet.UplinkAsync(new Uplink(quietEui, 1, heard, [Reading.Of(TwinProperty.DimLevel, 70)]));
        long version = (await quiet.GetAsync())!.Version;

        // The quiet device's twin goes offline 2.5 s in; idle for 3 s after that, the collector takes it.
        await TwinScenario.WaitUntilCollectedAsync(management, quiet);

        Assert.True(DateTime.UtcNow - heard > IdleAge, "collected before it had been idle for its age");
        Assert.NotNull(await management.GetActivationAddress(expected));

        // Woken by a read, it is the same twin: offline, the value it last reported, the version it reached.
        TwinDocument woken = (await quiet.GetAsync())!;
        Assert.Equal(TwinStatus.Offline, woken.Status);
        Assert.Equal(70, woken.Reported.Single(r => r.Property == TwinProperty.DimLevel).Value.Number);
        Assert.True(woken.Version > version, "going offline was kept");
    }

    public sealed class QuickCollection : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            ClusterFixture.AddTestGrains(siloBuilder);
            siloBuilder.Configure<GrainCollectionOptions>(o =>
            {
                o.CollectionQuantum = TimeSpan.FromSeconds(1);
                o.ClassSpecificCollectionAge[typeof(StreetlightGrain).FullName!] = IdleAge;
            });
        }
    }
}
