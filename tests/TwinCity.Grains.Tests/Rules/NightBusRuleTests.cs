using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Rules;

/// <summary>Default rule 3: at night a bus brightens the streetlights on the next stretch of its route and lets them dim once it has passed.</summary>
[Collection(ClusterCollection.Name)]
public sealed class NightBusRuleTests(ClusterFixture fixture)
{
    private readonly RuleKit _kit = new(fixture.Grains, 44.6055, 53.6055);

    [Fact]
    public async Task Lights_ahead_on_the_route_brighten_and_lights_passed_dim_back()
    {
        string route = "N" + Guid.NewGuid().ToString("N")[..6];
        await fixture.Grains.GetGrain<IRuleRegistryGrain>(0).PutRoutesAsync([new RouteLine(route, "east", [_kit.At(-1000, 0), _kit.At(3000, 0)])]);

        // The night itself is the active-hours test's business; here the rule is in force at any hour.
        RuleDefinition rule = await _kit.PutDefaultAsync("night-bus-lights", r => r with { ActiveHours = null });
        Assert.Equal(300, rule.Scope.Metres);

        // Lamps every 100 m along the route from 60 m, and one 150 m off the route beside the second.
        var lamps = new List<ITwinGrain>();
        for (int i = 0; i < 8; i++)
        {
            ITwinGrain lamp = await _kit.PlaceAsync(TwinKind.Streetlight, _kit.At(60 + (i * 100), 5));
            await _kit.ReportAsync(lamp, Reading.Of(TwinProperty.DimLevel, 30));
            lamps.Add(lamp);
        }

        ITwinGrain aside = await _kit.PlaceAsync(TwinKind.Streetlight, _kit.At(160, 150));
        await _kit.InCellsAsync([.. lamps, aside]);
        // The bus lives on another silo than the first lamps, so the effect crosses the cluster.
        ITwinGrain bus = await _kit.PlaceApartAsync(TwinKind.Bus, _kit.At(-100, 0), lamps[0], route);

        // The first fix shows where the bus is, the second which way it drives.
        await _kit.ReportAsync(bus, Reading.Of(TwinProperty.Lat, _kit.At(-100, 0).Lat), Reading.Of(TwinProperty.Lon, _kit.At(-100, 0).Lon));
        await _kit.ReportAsync(bus, Reading.Of(TwinProperty.Lat, _kit.At(0, 0).Lat), Reading.Of(TwinProperty.Lon, _kit.At(0, 0).Lon));

        // Ahead 300 m from x=0: lamps at 60, 160, 260; not 360 nor the one off the route.
        for (int i = 0; i < 3; i++)
        {
            ITwinGrain ahead = lamps[i];
            await RuleKit.Eventually(async () => (await RuleKit.DesiredAsync(ahead, TwinProperty.DimLevel))?.Value.Number == 100, "a lamp ahead brightened");
        }

        Assert.Null(await RuleKit.DesiredAsync(lamps[3], TwinProperty.DimLevel));
        Assert.Null(await RuleKit.DesiredAsync(aside, TwinProperty.DimLevel));

        // The bus drives on to x=200: the lamps at 60 and 160 are behind it and dim back; 260..460 are ahead.
        await _kit.ReportAsync(bus, Reading.Of(TwinProperty.Lat, _kit.At(200, 0).Lat), Reading.Of(TwinProperty.Lon, _kit.At(200, 0).Lon));
        for (int i = 2; i < 5; i++)
        {
            ITwinGrain ahead = lamps[i];
            await RuleKit.Eventually(async () => (await RuleKit.DesiredAsync(ahead, TwinProperty.DimLevel))?.Value.Number == 100, "a lamp ahead brightened");
        }

        for (int i = 0; i < 2; i++)
        {
            ITwinGrain passed = lamps[i];
            await RuleKit.Eventually(async () => (await RuleKit.DesiredAsync(passed, TwinProperty.DimLevel))?.Value.Number == 30, "a lamp the bus passed dimmed back");
        }

        Assert.Null(await RuleKit.DesiredAsync(lamps[5], TwinProperty.DimLevel));
        await _kit.DeleteAsync(rule);
    }
}
