using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Rules;

/// <summary>
/// Rules that fire each other: a road sensor's <c>mark</c> is applied by the platform at once, so a rule
/// marking road sensors changes what another rule watches. The chain stops at <c>Rules:MaxChainDepth</c>
/// (3 by default).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RuleChainTests(ClusterFixture fixture)
{
    private const int MaxChainDepth = 3;

    private readonly RuleKit _kit = new(fixture.Grains, 45.2055, 54.2055);

    [Fact]
    public async Task Two_rules_that_trigger_each_other_stop_at_the_chain_limit_and_the_stop_is_recorded()
    {
        // A's effect is B's trigger and B's effect is A's: without a limit they would flip the sensor for ever.
        RuleDefinition a = await _kit.PutJsonAsync("""
            {
              "description": "hazard turns into dark",
              "trigger": { "kind": "road-sensors", "any": [ { "property": "hazard", "op": "==", "value": true } ] },
              "scope": { "type": "cell" },
              "effects": [ { "type": "command", "kind": "road-sensors", "command": "mark", "args": { "hazard": false, "dark": true } } ],
              "durationSeconds": 0,
              "cooldownSeconds": 0
            }
            """);
        RuleDefinition b = await _kit.PutJsonAsync("""
            {
              "description": "dark turns into hazard",
              "trigger": { "kind": "road-sensors", "any": [ { "property": "dark", "op": "==", "value": true } ] },
              "scope": { "type": "cell" },
              "effects": [ { "type": "command", "kind": "road-sensors", "command": "mark", "args": { "hazard": true, "dark": false } } ],
              "durationSeconds": 0,
              "cooldownSeconds": 0
            }
            """);
        ITwinGrain sensor = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(0, 0));
        await _kit.InCellsAsync(sensor);

        // An agency marks the hazard: A fires (depth 1), B from A's mark (2), A again (3), B is stopped (4).
        CommandResult marked = await sensor.IssueCommandAsync(
            new CommandRequest("mark", [Reading.Of(TwinProperty.Hazard, true)], "transport", TimeSpan.FromMinutes(5), """{"hazard":true}"""));
        Assert.Equal(CommandOutcome.Accepted, marked.Outcome);

        // Each firing is recorded one-way, each rule's in a grain of its own: the stop may be listed
        // before the last carried-out firing of the other rule is, so wait for those too.
        RuleFiring[] firingsA = [];
        RuleFiring[] firingsB = [];
        await RuleKit.Eventually(
            async () =>
            {
                firingsA = await _kit.FiringsAsync(a);
                firingsB = await _kit.FiringsAsync(b);
                return firingsB.Any(f => f.Stopped is not null) && firingsA.Concat(firingsB).Count(f => f.Stopped is null) >= MaxChainDepth;
            },
            "the chain's stop and the firings before it recorded");
        RuleFiring[] carriedOut = [.. firingsA.Concat(firingsB).Where(f => f.Stopped is null).OrderBy(f => f.Depth)];
        Assert.Equal(MaxChainDepth, carriedOut.Length);
        Assert.Equal([1, 2, 3], carriedOut.Select(f => f.Depth));
        Assert.Equal([a.Id, b.Id, a.Id], carriedOut.Select(f => f.Rule));
        Assert.All(carriedOut, f => Assert.Equal([new TwinKey(TwinKind.RoadSensor, sensor.GetPrimaryKeyString())], f.Targets));

        RuleFiring stopped = Assert.Single(firingsA.Concat(firingsB), f => f.Stopped is not null);
        Assert.Equal(b.Id, stopped.Rule);
        Assert.Equal(MaxChainDepth + 1, stopped.Depth);
        Assert.Empty(stopped.Targets);
        Assert.Contains("Rules:MaxChainDepth", stopped.Stopped, StringComparison.Ordinal);

        // The sensor is left as the last rule carried out set it (A's mark), not flipped by the stopped one.
        Assert.False((await RuleKit.ReportedAsync(sensor, TwinProperty.Hazard))?.AsBool);
        Assert.True((await RuleKit.ReportedAsync(sensor, TwinProperty.Dark))?.AsBool);
        TwinDocument doc = (await sensor.GetAsync())!;
        Assert.Equal(MaxChainDepth, doc.Commands.Count(c => c.By.StartsWith(RuleDefinition.RequesterPrefix, StringComparison.Ordinal)));

        await _kit.DeleteAsync(a);
        await _kit.DeleteAsync(b);
    }

    [Fact]
    public async Task A_chain_within_the_limit_is_carried_out_in_full()
    {
        // One rule's mark fires a second rule once: a chain of two, well within the limit, carried out in full.
        RuleDefinition first = await _kit.PutJsonAsync("""
            {
              "trigger": { "kind": "road-sensors", "any": [ { "property": "occupancyPct", "op": ">", "value": 90 } ] },
              "scope": { "type": "cell" },
              "effects": [ { "type": "command", "kind": "road-sensors", "command": "mark", "args": { "hazard": true } } ],
              "cooldownSeconds": 0
            }
            """);
        RuleDefinition second = await _kit.PutJsonAsync("""
            {
              "trigger": { "kind": "road-sensors", "any": [ { "property": "hazard", "op": "==", "value": true } ] },
              "scope": { "type": "cell" },
              "effects": [ { "type": "command", "kind": "road-sensors", "command": "mark", "args": { "dark": true } } ],
              "cooldownSeconds": 0
            }
            """);
        ITwinGrain sensor = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(0, 3000));
        await _kit.InCellsAsync(sensor);

        await _kit.ReportAsync(sensor, Reading.Of(TwinProperty.OccupancyPct, 95.0));

        await RuleKit.Eventually(async () => (await RuleKit.ReportedAsync(sensor, TwinProperty.Dark))?.AsBool == true, "the second rule's mark");
        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(first)).Length == 1, "the first firing recorded");
        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(second)).Length == 1, "the second firing recorded");
        RuleFiring one = Assert.Single(await _kit.FiringsAsync(first));
        RuleFiring two = Assert.Single(await _kit.FiringsAsync(second));
        Assert.Equal((1, (string?)null), (one.Depth, one.Stopped));
        Assert.Equal((2, (string?)null), (two.Depth, two.Stopped));

        await _kit.DeleteAsync(first);
        await _kit.DeleteAsync(second);
    }

    [Fact]
    public async Task A_condition_held_for_a_while_after_a_rule_set_it_fires_as_the_next_link_of_that_chain()
    {
        // The second rule waits for the mark to hold a second: its re-check runs on a timer, later, and
        // must still count as the first rule's doing.
        RuleDefinition first = await _kit.PutJsonAsync("""
            {
              "trigger": { "kind": "road-sensors", "any": [ { "property": "occupancyPct", "op": ">", "value": 90 } ] },
              "scope": { "type": "cell" },
              "effects": [ { "type": "command", "kind": "road-sensors", "command": "mark", "args": { "hazard": true } } ],
              "cooldownSeconds": 0
            }
            """);
        RuleDefinition held = await _kit.PutJsonAsync("""
            {
              "trigger": { "kind": "road-sensors", "any": [ { "property": "hazard", "op": "==", "value": true, "forSeconds": 1 } ] },
              "scope": { "type": "cell" },
              "effects": [ { "type": "alert", "agencies": ["roads"], "text": "hazard standing" } ],
              "cooldownSeconds": 0
            }
            """);
        ITwinGrain sensor = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(3000, 0));
        await _kit.InCellsAsync(sensor);

        await _kit.ReportAsync(sensor, Reading.Of(TwinProperty.OccupancyPct, 95.0));

        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(held)).Length == 1, "the held condition's firing");
        // The first rule's firing is recorded one-way, as the second's is: wait for it rather than assume it landed first.
        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(first)).Length >= 1, "the first rule's firing");
        Assert.Equal(1, Assert.Single(await _kit.FiringsAsync(first)).Depth);
        Assert.Equal(2, Assert.Single(await _kit.FiringsAsync(held)).Depth);

        await _kit.DeleteAsync(first);
        await _kit.DeleteAsync(held);
    }

    [Fact]
    public async Task Putting_a_value_back_when_an_effect_ends_is_a_link_of_the_chain_that_set_it()
    {
        // The first rule marks a hazard for five seconds; when the twin puts the mark back, the second rule
        // sees the hazard cleared. That is the first rule's doing, so the second fires at depth 2, not 1.
        // (The mark must be seen while it stands: seconds of it, so that a slow machine still sees it.)
        RuleDefinition first = await _kit.PutJsonAsync("""
            {
              "trigger": { "kind": "road-sensors", "any": [ { "property": "occupancyPct", "op": ">", "value": 90 } ] },
              "scope": { "type": "cell" },
              "effects": [ { "type": "command", "kind": "road-sensors", "command": "mark", "args": { "hazard": true } } ],
              "durationSeconds": 5,
              "cooldownSeconds": 0
            }
            """);
        RuleDefinition cleared = await _kit.PutJsonAsync("""
            {
              "trigger": { "kind": "road-sensors", "any": [ { "property": "hazard", "op": "==", "value": false } ] },
              "scope": { "type": "cell" },
              "effects": [ { "type": "alert", "agencies": ["roads"], "text": "hazard cleared" } ],
              "cooldownSeconds": 0
            }
            """);
        ITwinGrain sensor = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(3000, 3000));
        await _kit.InCellsAsync(sensor);

        await _kit.ReportAsync(sensor, Reading.Of(TwinProperty.OccupancyPct, 95.0));
        await RuleKit.Eventually(async () => (await RuleKit.ReportedAsync(sensor, TwinProperty.Hazard))?.AsBool == true, "the hazard marked");

        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(cleared)).Length == 1, "the clearing noticed", seconds: 30);
        Assert.False((await RuleKit.ReportedAsync(sensor, TwinProperty.Hazard))?.AsBool);
        Assert.Equal(1, Assert.Single(await _kit.FiringsAsync(first)).Depth);
        Assert.Equal(2, Assert.Single(await _kit.FiringsAsync(cleared)).Depth);

        await _kit.DeleteAsync(first);
        await _kit.DeleteAsync(cleared);
    }
}
