using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Twins;

/// <summary>The twins' housekeeping through the silo's due-time queue rather than a timer of each twin's own.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TwinHousekeepingTests(ClusterFixture fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    [Fact]
    public async Task A_watched_twin_outlives_idle_collection_notices_its_device_go_quiet_and_may_be_collected_after()
    {
        IManagementGrain management = _grains.GetGrain<IManagementGrain>(0);
        (ITwinGrain twin, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, TwinKind.Streetlight, reportingIntervalSeconds: 2);
        await twin.UplinkAsync(new Uplink(devEui, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.On, true)]));
        TwinDocument online = (await twin.GetAsync())!;
        Assert.NotNull(await management.GetActivationAddress(twin));

        // Idle collection of everything idle: a twin whose device is expected to report stays.
        await management.ForceActivationCollection(TimeSpan.Zero);
        Assert.NotNull(await management.GetActivationAddress(twin));

        // 2 s × 2.5: the twin itself turns offline (a change, so its version rises) without anyone calling it.
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.NotNull(await management.GetActivationAddress(twin));
        TwinDocument offline = (await twin.GetAsync())!;
        Assert.Equal(TwinStatus.Offline, offline.Status);
        Assert.True(offline.Version > online.Version, "the twin noticed going offline on its own");

        // Offline, nothing holds it any more: idle collection takes it as it takes any idle grain. A
        // housekeeping call still due (its snapshot) counts as activity, so collection is tried
        // until the twin has been idle long enough, for at most 30 s.
        DateTime until = DateTime.UtcNow.AddSeconds(30);
        SiloAddress? address;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await management.ForceActivationCollection(TimeSpan.FromSeconds(1));
            address = await management.GetActivationAddress(twin);
        }
        while (address is not null && DateTime.UtcNow < until);

        Assert.Null(address);
    }
}
