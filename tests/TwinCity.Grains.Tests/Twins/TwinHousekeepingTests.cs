using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Twins;

/// <summary>The twins' housekeeping through the silo's due-time queue rather than a timer of each twin's own.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TwinHousekeepingTests(ClusterFixture fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    [Fact]
    public async Task A_twin_whose_device_is_expected_outlives_idle_collection_and_notices_its_device_go_quiet()
    {
        IManagementGrain management = _grains.GetGrain<IManagementGrain>(0);
        (ITwinGrain twin, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, TwinKind.Streetlight, reportingIntervalSeconds: 2);
        await twin.UplinkAsync(new Uplink(devEui, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.On, true)]));
        TwinDocument online = (await twin.GetAsync())!;
        Assert.NotNull(await management.GetActivationAddress(twin));

        // Idle collection of everything idle: a twin whose device is expected to report stays.
        await management.ForceActivationCollection(TimeSpan.Zero);
        Assert.NotNull(await management.GetActivationAddress(twin));

        // 2 s × 2.5: the twin itself turns offline (a change, so its version rises) without anyone
        // calling it. Its cell hears of each change, so watching the cell until the change shows,
        // rather than looking once at a fixed 6 s, leaves a slow machine time for the due-time
        // queue's call and still leaves the twin uncalled.
        ICellGrain cell = _grains.GetGrain<ICellGrain>(CellGrid.CellOf(online.Position));
        await Rules.RuleKit.Eventually(
            async () => (await cell.GetTwinsAsync()).Any(t => t.Id == online.Id && t.Version > online.Version),
            "the twin's own change on going offline, in its cell");
        Assert.NotNull(await management.GetActivationAddress(twin));
        TwinDocument offline = (await twin.GetAsync())!;
        Assert.Equal(TwinStatus.Offline, offline.Status);
        Assert.True(offline.Version > online.Version, "the twin noticed going offline on its own");
    }
}
