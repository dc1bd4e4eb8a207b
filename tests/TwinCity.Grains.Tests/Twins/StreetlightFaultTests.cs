using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests.Twins;

/// <summary>A streetlight twin tells a failed lamp from a controller that reports only its relay and power draw.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StreetlightFaultTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_lamp_switched_on_that_draws_nothing_has_failed_until_it_draws_again()
    {
        (ITwinGrain lamp, ulong devEui, _) = await TwinScenario.ProvisionAsync(fixture.Grains, TwinKind.Streetlight);
        DateTime t = DateTime.UtcNow.AddMinutes(-10);

        await Report(lamp, devEui, 1, t, on: true, powerW: 61.0);
        Assert.False(await FaultAsync(lamp));

        await Report(lamp, devEui, 2, t.AddMinutes(1), on: true, powerW: StreetlightGrain.LampFaultBelowW / 10);
        Assert.True(await FaultAsync(lamp));

        // Off by day: a dead lamp and a healthy one look alike, so the fault stands.
        await Report(lamp, devEui, 3, t.AddMinutes(2), on: false, powerW: 0.4);
        Assert.True(await FaultAsync(lamp));

        await Report(lamp, devEui, 4, t.AddMinutes(3), on: true, powerW: 58.0);
        Assert.False(await FaultAsync(lamp));
    }

    [Fact]
    public async Task A_device_that_reports_its_own_fault_flag_is_believed()
    {
        (ITwinGrain lamp, ulong devEui, _) = await TwinScenario.ProvisionAsync(fixture.Grains, TwinKind.Streetlight);
        DateTime t = DateTime.UtcNow.AddMinutes(-10);

        Assert.Equal(UplinkOutcome.Applied, await lamp.UplinkAsync(new Uplink(devEui, 1, t,
            [Reading.Of(TwinProperty.On, true), Reading.Of(TwinProperty.PowerW, 60.0), Reading.Of(TwinProperty.LampFault, true)])));

        Assert.True(await FaultAsync(lamp));
    }

    private static async Task Report(ITwinGrain lamp, ulong devEui, uint fCnt, DateTime at, bool on, double powerW) =>
        Assert.Equal(UplinkOutcome.Applied, await lamp.UplinkAsync(new Uplink(devEui, fCnt, at, [Reading.Of(TwinProperty.On, on), Reading.Of(TwinProperty.PowerW, powerW)])));

    private static async Task<bool?> FaultAsync(ITwinGrain lamp) =>
        (await lamp.GetAsync())!.Reported.SingleOrDefault(r => r.Property == TwinProperty.LampFault) is { At: var at } fault && at != default ? fault.Value.AsBool : null;
}
