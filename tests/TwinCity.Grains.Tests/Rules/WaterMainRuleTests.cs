using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Rules;

/// <summary>Default rule 2: a burst or sustained leak alerts the road and transport agencies, marks road sensors within 200 m and advises buses whose route passes by.</summary>
[Collection(ClusterCollection.Name)]
public sealed class WaterMainRuleTests(ClusterFixture fixture)
{
    private readonly RuleKit _kit = new(fixture.Grains, 44.4055, 53.4055);

    [Fact]
    public async Task Burst_alerts_agencies_marks_sensors_within_200_m_and_advises_buses_on_routes_passing_by()
    {
        // Route A runs east-west 120 m north of the meter; route B 1.5 km south of it.
        string routeA = "A" + Guid.NewGuid().ToString("N")[..6];
        string routeB = "B" + Guid.NewGuid().ToString("N")[..6];
        await fixture.Grains.GetGrain<IRuleRegistryGrain>(0).PutRoutesAsync(
        [
            new RouteLine(routeA, "A", [_kit.At(-2500, 120), _kit.At(2500, 120)]),
            new RouteLine(routeB, "B", [_kit.At(-2500, -1500), _kit.At(2500, -1500)]),
        ]);
        RuleDefinition rule = await _kit.PutDefaultAsync("water-main-hazard");
        ITwinGrain meter = await _kit.PlaceAsync(TwinKind.WaterMeter, _kit.At(0, 0));
        ITwinGrain nearSensor = await _kit.PlaceApartAsync(TwinKind.RoadSensor, _kit.At(0, 150), meter);
        ITwinGrain farSensor = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(260, 0));
        // A bus far along route A (2 km away) still passes the burst; a bus on route B does not.
        ITwinGrain busA = await _kit.PlaceAsync(TwinKind.Bus, _kit.At(2000, 120), routeA);
        ITwinGrain busB = await _kit.PlaceAsync(TwinKind.Bus, _kit.At(0, -1500), routeB);
        await _kit.InCellsAsync(nearSensor, farSensor, busA, busB);

        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 6.5), Reading.Of(TwinProperty.Burst, true));

        // Marking a road sensor is done by the platform itself: the twin reports it as soon as the mark arrives.
        await RuleKit.Eventually(async () => (await RuleKit.ReportedAsync(nearSensor, TwinProperty.Hazard))?.AsBool == true, "the near sensor marked");
        Assert.Null(await RuleKit.ReportedAsync(farSensor, TwinProperty.Hazard));
        Assert.Equal("rule:" + rule.Id, (await RuleKit.DesiredAsync(nearSensor, TwinProperty.Hazard))!.By);

        await RuleKit.Eventually(async () => (await busA.GetAsync())!.Commands.Any(c => c.Name == "display" && c.By == "rule:" + rule.Id), "the advisory on bus A");
        Assert.DoesNotContain((await busB.GetAsync())!.Commands, c => c.By == "rule:" + rule.Id);

        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(rule)).Length == 1, "the firing recorded");
        RuleFiring firing = (await _kit.FiringsAsync(rule)).Single();
        Assert.Equal(["roads", "transport"], firing.Alerted);
        Assert.Contains(new TwinKey(TwinKind.RoadSensor, nearSensor.GetPrimaryKeyString()), firing.Targets);
        Assert.Contains(new TwinKey(TwinKind.Bus, busA.GetPrimaryKeyString()), firing.Targets);
        Assert.DoesNotContain(new TwinKey(TwinKind.Bus, busB.GetPrimaryKeyString()), firing.Targets);
        Assert.DoesNotContain(new TwinKey(TwinKind.RoadSensor, farSensor.GetPrimaryKeyString()), firing.Targets);
        await _kit.DeleteAsync(rule);
    }

    [Fact]
    public async Task A_leak_fires_only_when_sustained_and_the_hazard_mark_ends_with_the_duration()
    {
        // Both spans are what a slow machine gets as slack: the leak that stops must be reported
        // stopped, and the sensor looked at, before the leak has lasted; the mark must be seen
        // before the duration ends it. Seconds, not fractions of one, so that a stall does not decide.
        RuleDefinition rule = await _kit.PutDefaultAsync("water-main-hazard", r => r with
        {
            DurationSeconds = 5,
            Trigger = r.Trigger with { Conditions = [.. r.Trigger.Conditions.Select(c => c.ForSeconds > 0 ? c with { ForSeconds = 5 } : c)] },
        });
        ITwinGrain meter = await _kit.PlaceAsync(TwinKind.WaterMeter, _kit.At(3000, 3000));
        ITwinGrain sensor = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(3050, 3000));
        await _kit.InCellsAsync(sensor);

        // A leak that stops before it has lasted does nothing.
        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.Leak, true));
        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.Leak, false));
        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.Leak, true));
        Assert.Null(await RuleKit.ReportedAsync(sensor, TwinProperty.Hazard));

        await RuleKit.Eventually(async () => (await RuleKit.ReportedAsync(sensor, TwinProperty.Hazard))?.AsBool == true, "the sensor marked hazard once the leak lasted");
        await RuleKit.Eventually(async () => (await RuleKit.ReportedAsync(sensor, TwinProperty.Hazard))?.AsBool == false, "the hazard mark lifted after the duration", seconds: 30);
        Assert.Single(await _kit.FiringsAsync(rule));
        await _kit.DeleteAsync(rule);
    }
}
