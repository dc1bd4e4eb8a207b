using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Rules;

/// <summary>Default rule 1: a traffic incident or jam on a road sensor brightens the streetlights within 300 m.</summary>
[Collection(ClusterCollection.Name)]
public sealed class IncidentLightsRuleTests(ClusterFixture fixture)
{
    private readonly RuleKit _kit = new(fixture.Grains, 44.2055, 53.2055);

    [Fact]
    public async Task Incident_brightens_lights_within_300_m_not_beyond_and_puts_them_back_after_the_duration()
    {
        // The lights' checks below must all land within the duration; 8 s leaves a slow machine room.
        RuleDefinition rule = await _kit.PutDefaultAsync("incident-lights", r => r with { DurationSeconds = 8 });
        ITwinGrain sensor = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(0, 0));
        ITwinGrain near = await _kit.PlaceApartAsync(TwinKind.Streetlight, _kit.At(150, 0), sensor);
        ITwinGrain edge = await _kit.PlaceAsync(TwinKind.Streetlight, _kit.At(0, -280));
        ITwinGrain far = await _kit.PlaceAsync(TwinKind.Streetlight, _kit.At(-330, 0));
        foreach (ITwinGrain light in new[] { near, edge, far })
        {
            await _kit.ReportAsync(light, Reading.Of(TwinProperty.On, true), Reading.Of(TwinProperty.DimLevel, 40));
        }

        await _kit.InCellsAsync(near, edge, far);
        await _kit.ReportAsync(sensor, Reading.Of(TwinProperty.Incident, true));

        foreach (ITwinGrain light in new[] { near, edge })
        {
            // The cells pass the effect on without waiting for the lights: it lands a moment later.
            await RuleKit.Eventually(async () => await RuleKit.DesiredAsync(light, TwinProperty.DimLevel) is not null, "the light's desired dim level");
            DesiredValue? desired = await RuleKit.DesiredAsync(light, TwinProperty.DimLevel);
            Assert.NotNull(desired);
            Assert.Equal(100, desired.Value.Number);
            Assert.Equal("rule:" + rule.Id, desired.By);
            TwinDocument doc = (await light.GetAsync())!;
            Assert.Contains(doc.Commands, c => c.Name == "dim" && c.By == "rule:" + rule.Id);
        }

        Assert.Null(await RuleKit.DesiredAsync(far, TwinProperty.DimLevel));
        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(rule)).Length == 1, "the firing recorded");
        RuleFiring firing = (await _kit.FiringsAsync(rule)).Single();
        Assert.Equal(new TwinKey(TwinKind.RoadSensor, sensor.GetPrimaryKeyString()), firing.Source);
        Assert.Equal(
            new[] { near.GetPrimaryKeyString(), edge.GetPrimaryKeyString() }.Order(),
            firing.Targets.Select(t => t.Id).Order());

        // After the duration the twins themselves put the lights back to what they were.
        foreach (ITwinGrain light in new[] { near, edge })
        {
            await RuleKit.Eventually(async () => (await RuleKit.DesiredAsync(light, TwinProperty.DimLevel))?.Value.Number == 40, "the light dimmed back to 40", seconds: 30);
        }

        await _kit.DeleteAsync(rule);
    }

    [Fact]
    public async Task A_jam_fires_only_once_it_has_lasted_its_time()
    {
        RuleDefinition rule = await _kit.PutDefaultAsync("incident-lights", r => r with
        {
            // Long enough that the look right after the uplink comes before the jam has lasted, on a slow machine too.
            Trigger = r.Trigger with { Conditions = [.. r.Trigger.Conditions.Select(c => c.ForSeconds > 0 ? c with { ForSeconds = 5 } : c)] },
        });
        ITwinGrain sensor = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(2000, 2000));
        ITwinGrain light = await _kit.PlaceAsync(TwinKind.Streetlight, _kit.At(2100, 2000));
        await _kit.InCellsAsync(light);

        await _kit.ReportAsync(sensor, Reading.Of(TwinProperty.OccupancyPct, 90));
        Assert.Null(await RuleKit.DesiredAsync(light, TwinProperty.DimLevel));
        Assert.Empty(await _kit.FiringsAsync(rule));

        // No further uplink: the twin calls the rule again when the jam has lasted long enough.
        await RuleKit.Eventually(async () => (await RuleKit.DesiredAsync(light, TwinProperty.DimLevel))?.Value.Number == 100, "the light brightened after the jam lasted");
        await _kit.DeleteAsync(rule);
    }

    [Fact]
    public async Task An_agency_command_during_the_hold_wins_and_ends_the_rules_hold_on_that_light()
    {
        // The agency's command must come while the rule still holds the light; 8 s leaves a slow machine room.
        RuleDefinition rule = await _kit.PutDefaultAsync("incident-lights", r => r with { DurationSeconds = 8, CooldownSeconds = 0 });
        ITwinGrain sensor = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(-2000, 2000));
        ITwinGrain other = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(-2000, 2050));
        ITwinGrain taken = await _kit.PlaceAsync(TwinKind.Streetlight, _kit.At(-2050, 2000));
        ITwinGrain left = await _kit.PlaceAsync(TwinKind.Streetlight, _kit.At(-1950, 2000));
        await _kit.ReportAsync(taken, Reading.Of(TwinProperty.DimLevel, 40));
        await _kit.ReportAsync(left, Reading.Of(TwinProperty.DimLevel, 40));
        await _kit.InCellsAsync(taken, left);
        await _kit.ReportAsync(sensor, Reading.Of(TwinProperty.Incident, true));
        await RuleKit.Eventually(async () => (await RuleKit.DesiredAsync(taken, TwinProperty.DimLevel))?.Value.Number == 100, "the light taken by the rule");

        CommandResult own = await taken.IssueCommandAsync(new CommandRequest("dim", [Reading.Of(TwinProperty.DimLevel, 60)], "azerishig", TimeSpan.FromMinutes(5), "{\"level\":60}"));
        Assert.Equal(CommandOutcome.Accepted, own.Outcome);

        // The rule fires again from another sensor during the effect: the agency's value stands.
        await _kit.ReportAsync(other, Reading.Of(TwinProperty.Incident, true));
        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(rule)).Length == 2, "the second firing");
        DesiredValue mine = (await RuleKit.DesiredAsync(taken, TwinProperty.DimLevel))!;
        Assert.Equal(60, mine.Value.Number);
        Assert.Equal("azerishig", mine.By);

        // The light still held by the rule goes back when the effect ends; the one the agency took stays as the agency set it.
        await RuleKit.Eventually(async () => (await RuleKit.DesiredAsync(left, TwinProperty.DimLevel))?.Value.Number == 40, "the held light dimmed back", seconds: 30);
        mine = (await RuleKit.DesiredAsync(taken, TwinProperty.DimLevel))!;
        Assert.Equal(60, mine.Value.Number);
        Assert.Equal("azerishig", mine.By);
        Assert.DoesNotContain((await taken.GetAsync())!.Commands, c => c.By == "rule:" + rule.Id && c.Sets.Any(s => s.Value.Number == 40));
        await _kit.DeleteAsync(rule);
    }

    [Fact]
    public async Task Cooldown_keeps_a_flapping_incident_from_firing_again()
    {
        RuleDefinition rule = await _kit.PutDefaultAsync("incident-lights");
        Assert.Equal(600, rule.CooldownSeconds);
        ITwinGrain sensor = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(2000, -2000));

        await _kit.ReportAsync(sensor, Reading.Of(TwinProperty.Incident, true));
        await _kit.ReportAsync(sensor, Reading.Of(TwinProperty.Incident, false));
        await _kit.ReportAsync(sensor, Reading.Of(TwinProperty.Incident, true));
        await _kit.ReportAsync(sensor, Reading.Of(TwinProperty.Incident, false));
        await _kit.ReportAsync(sensor, Reading.Of(TwinProperty.Incident, true));

        // Without a cooldown the same flapping fires each time it is met anew.
        RuleDefinition eager = await _kit.PutDefaultAsync("incident-lights", r => r with { CooldownSeconds = 0 });
        ITwinGrain second = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(2000, -2100));
        await _kit.ReportAsync(second, Reading.Of(TwinProperty.Incident, true));
        await _kit.ReportAsync(second, Reading.Of(TwinProperty.Incident, false));
        await _kit.ReportAsync(second, Reading.Of(TwinProperty.Incident, true));
        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(eager)).Count(f => f.Source.Id == second.GetPrimaryKeyString()) == 2, "two firings without cooldown");

        Assert.Single(await _kit.FiringsAsync(rule), f => f.Source.Id == sensor.GetPrimaryKeyString());
        await _kit.DeleteAsync(rule);
        await _kit.DeleteAsync(eager);
    }
}
