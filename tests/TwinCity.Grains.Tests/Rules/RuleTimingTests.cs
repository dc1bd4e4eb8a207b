using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Rules;

namespace TwinCity.Grains.Tests.Rules;

/// <summary>Hysteresis and active hours: what keeps a rule from flapping and from firing out of its hours.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RuleTimingTests(ClusterFixture fixture)
{
    private const string FlowRule = """
        {
          "description": "Flow above 30 m3/h",
          "trigger": { "kind": "water-meters", "any": [ { "property": "flowM3h", "op": ">", "value": 30, "hysteresis": 5 } ] },
          "effects": [ { "type": "alert", "agencies": ["azersu"], "text": "high flow" } ],
          "cooldownSeconds": 0
        }
        """;

    private readonly RuleKit _kit = new(fixture.Grains, 45.0055, 54.0055);

    [Fact]
    public async Task Hysteresis_keeps_a_value_hovering_at_the_threshold_from_firing_again()
    {
        RuleDefinition rule = await _kit.PutJsonAsync(FlowRule);
        ITwinGrain meter = await _kit.PlaceAsync(TwinKind.WaterMeter, _kit.At(0, 0));

        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 31));
        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 28));
        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 31));
        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 27));
        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 32));
        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(rule)).Length >= 1, "the first firing");

        // Only below 25 (30 less the hysteresis of 5) is the condition over; then it may fire again.
        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 24));
        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 31));
        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(rule)).Length == 2, "the second firing");
        RuleFiring[] firings = await _kit.FiringsAsync(rule);
        Assert.Equal(2, firings.Length);
        Assert.Equal(["azersu"], firings[0].Alerted);
        await _kit.DeleteAsync(rule);
    }

    [Fact]
    public async Task A_rule_outside_its_active_hours_does_not_fire()
    {
        RuleDefinition rule = await _kit.PutJsonAsync(FlowRule);
        TimeOnly localNow = TimeOnly.FromDateTime(DateTime.UtcNow + new RulesOptions().UtcOffset);
        RuleDefinition closed = await fixture.Grains.GetGrain<IRuleRegistryGrain>(0).PutAsync(
            rule with { ActiveHours = new ActiveHours(false, localNow.AddHours(2), localNow.AddHours(3)) });
        ITwinGrain meter = await _kit.PlaceAsync(TwinKind.WaterMeter, _kit.At(1000, 0));

        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 40));
        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 10));

        // The same rule with hours that include now fires on the next rise: the first rise was judged, and refused.
        await fixture.Grains.GetGrain<IRuleRegistryGrain>(0).PutAsync(
            closed with { ActiveHours = new ActiveHours(false, localNow.AddHours(-1), localNow.AddHours(1)) });
        DateTime opened = DateTime.UtcNow;
        await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 40));
        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(rule)).Length >= 1, "a firing within the hours");
        RuleFiring firing = Assert.Single(await _kit.FiringsAsync(rule));
        Assert.True(firing.At >= opened.AddSeconds(-1));
        await _kit.DeleteAsync(rule);
    }

    [Fact]
    public async Task Every_silo_stops_applying_a_rule_once_it_is_deleted_or_disabled()
    {
        RuleDefinition deleted = await _kit.PutJsonAsync(FlowRule);
        RuleDefinition disabled = await _kit.PutJsonAsync(FlowRule);
        // Twins on both silos learn the rules, then the rules change under them.
        var meters = new List<ITwinGrain>();
        for (int i = 0; i < 6; i++)
        {
            ITwinGrain meter = await _kit.PlaceAsync(TwinKind.WaterMeter, _kit.At(2000 + (i * 10), 0));
            await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 1));
            meters.Add(meter);
        }

        await _kit.DeleteAsync(deleted);
        await fixture.Grains.GetGrain<IRuleRegistryGrain>(0).PutAsync(disabled with { Enabled = false });
        RuleDefinition control = await _kit.PutJsonAsync(FlowRule);
        foreach (ITwinGrain meter in meters)
        {
            await _kit.ReportAsync(meter, Reading.Of(TwinProperty.FlowM3h, 40));
        }

        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(control)).Length == meters.Count, "the control rule fired from every meter");
        Assert.Empty(await _kit.FiringsAsync(deleted));
        Assert.Empty(await _kit.FiringsAsync(disabled));
        await _kit.DeleteAsync(disabled);
        await _kit.DeleteAsync(control);
    }

    [Fact]
    public void Night_is_from_sunset_to_sunrise_at_the_citys_coordinates()
    {
        var baku = new RulesOptions();
        var night = new ActiveHours(Night: true);

        // 25 November in Baku: sunset about 13:20 UTC (17:20 local), sunrise about 03:50 UTC.
        Assert.True(RuleHours.IsActive(night, new DateTime(2026, 11, 25, 20, 0, 0, DateTimeKind.Utc), baku));
        Assert.True(RuleHours.IsActive(night, new DateTime(2026, 11, 25, 2, 0, 0, DateTimeKind.Utc), baku));
        Assert.False(RuleHours.IsActive(night, new DateTime(2026, 11, 25, 8, 0, 0, DateTimeKind.Utc), baku));
        Assert.False(RuleHours.IsActive(night, new DateTime(2026, 11, 25, 12, 30, 0, DateTimeKind.Utc), baku));
        Assert.True(RuleHours.IsActive(night, new DateTime(2026, 11, 25, 14, 0, 0, DateTimeKind.Utc), baku));

        // In June the same hour of the afternoon is still day.
        Assert.False(RuleHours.IsActive(night, new DateTime(2026, 6, 21, 14, 0, 0, DateTimeKind.Utc), baku));
    }

    [Fact]
    public void Fixed_hours_are_local_time_and_may_run_past_midnight()
    {
        var baku = new RulesOptions();
        var late = new ActiveHours(false, new TimeOnly(22, 0), new TimeOnly(6, 0));

        Assert.True(RuleHours.IsActive(late, new DateTime(2026, 11, 25, 19, 0, 0, DateTimeKind.Utc), baku));  // 23:00 local
        Assert.True(RuleHours.IsActive(late, new DateTime(2026, 11, 25, 1, 0, 0, DateTimeKind.Utc), baku));   // 05:00 local
        Assert.False(RuleHours.IsActive(late, new DateTime(2026, 11, 25, 3, 0, 0, DateTimeKind.Utc), baku));  // 07:00 local
        Assert.False(RuleHours.IsActive(late, new DateTime(2026, 11, 25, 17, 59, 0, DateTimeKind.Utc), baku)); // 21:59 local
        Assert.True(RuleHours.IsActive(null, new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc), baku));
    }
}
