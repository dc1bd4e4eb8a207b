using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Rules;

/// <summary>Default rule 4: a streetlight's lamp fault marks the road sensors in its cell dark and alerts the electricity company.</summary>
[Collection(ClusterCollection.Name)]
public sealed class LampFaultRuleTests(ClusterFixture fixture)
{
    private readonly RuleKit _kit = new(fixture.Grains, 44.8055, 53.8055);

    [Fact]
    public async Task Lamp_fault_marks_sensors_in_its_cell_dark_alerts_azerishig_and_the_repair_lifts_the_mark()
    {
        RuleDefinition rule = await _kit.PutDefaultAsync("lamp-fault-dark");
        GeoPoint lampAt = _kit.At(0, 0);
        ITwinGrain lamp = await _kit.PlaceAsync(TwinKind.Streetlight, lampAt);
        ITwinGrain same = await _kit.PlaceApartAsync(TwinKind.RoadSensor, _kit.At(200, 100), lamp);
        ITwinGrain next = await _kit.PlaceAsync(TwinKind.RoadSensor, _kit.At(0, 1200));
        Assert.Equal(CellGrid.CellOf(lampAt), CellGrid.CellOf(_kit.At(200, 100)));
        Assert.NotEqual(CellGrid.CellOf(lampAt), CellGrid.CellOf(_kit.At(0, 1200)));
        await _kit.InCellsAsync(same, next);

        await _kit.ReportAsync(lamp, Reading.Of(TwinProperty.On, true), Reading.Of(TwinProperty.LampFault, true));

        // The cell passes the mark on without waiting for the sensor, so it lands shortly after the uplink returns.
        await RuleKit.Eventually(async () => (await RuleKit.ReportedAsync(same, TwinProperty.Dark))?.AsBool == true, "the sensor in the lamp's cell marked dark");
        Assert.Null(await RuleKit.ReportedAsync(next, TwinProperty.Dark));
        await RuleKit.Eventually(async () => (await _kit.FiringsAsync(rule)).Length == 1, "the firing recorded");
        RuleFiring firing = (await _kit.FiringsAsync(rule)).Single();
        Assert.Equal(["azerishig"], firing.Alerted);
        Assert.Equal([new TwinKey(TwinKind.RoadSensor, same.GetPrimaryKeyString())], firing.Targets);

        // The lamp is repaired: the rule's effect ends with its trigger.
        await _kit.ReportAsync(lamp, Reading.Of(TwinProperty.LampFault, false));
        await RuleKit.Eventually(async () => (await RuleKit.ReportedAsync(same, TwinProperty.Dark))?.AsBool == false, "the dark mark lifted after the repair");
        await _kit.DeleteAsync(rule);
    }
}
