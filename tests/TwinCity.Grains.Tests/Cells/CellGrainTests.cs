using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Cells;

[Collection(ClusterCollection.Name)]
public sealed class CellGrainTests(ClusterFixture fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    [Fact]
    public async Task Moving_bus_leaves_one_cell_and_appears_in_the_next()
    {
        // A corner of the grid no other test uses.
        var start = new GeoPoint(41.0051, 50.0051);
        var next = new GeoPoint(41.0051, 50.0151);
        (ITwinGrain bus, ulong devEui, string id) = await ProvisionAtAsync(TwinKind.Bus, start);
        ICellGrain from = _grains.GetGrain<ICellGrain>(CellGrid.CellOf(start));
        ICellGrain to = _grains.GetGrain<ICellGrain>(CellGrid.CellOf(next));
        Assert.NotEqual(CellGrid.CellOf(start), CellGrid.CellOf(next));
        await Eventually(async () => (await from.GetTwinsAsync()).Any(t => t.Id == id));

        await bus.UplinkAsync(new Uplink(devEui, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.Lat, next.Lat), Reading.Of(TwinProperty.Lon, next.Lon)]));

        await Eventually(async () => (await to.GetTwinsAsync()).Any(t => t.Id == id));
        await Eventually(async () => !(await from.GetTwinsAsync()).Any(t => t.Id == id));
        TwinSummary there = (await to.GetTwinsAsync()).Single(t => t.Id == id);
        Assert.Equal(next, there.Position);
        Assert.Contains(there.Values, v => v.Property == TwinProperty.Lat && v.Value.Number == next.Lat);
    }

    [Fact]
    public async Task Area_query_spanning_several_cells_returns_exactly_the_twins_inside()
    {
        // Twins on a 5 × 5 lattice 0.004° apart across several cells, away from other tests' twins.
        var inside = new HashSet<string>();
        var box = new GeoBox(MinLon: 51.0030, MinLat: 42.0030, MaxLon: 51.0130, MaxLat: 42.0130);
        var all = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                var p = new GeoPoint(42.0 + (i * 0.004) + 0.0005, 51.0 + (j * 0.004) + 0.0005);
                (_, _, string id) = await ProvisionAtAsync(j % 2 == 0 ? TwinKind.Streetlight : TwinKind.WaterMeter, p);
                all.Add(id);
                if (box.Contains(p))
                {
                    inside.Add(id);
                }
            }
        }

        List<long> cells = CellGrid.CellsOf(box)!;
        Assert.True(cells.Count > 1, "the area spans several cells");
        Assert.NotEmpty(inside);
        Assert.True(inside.Count < all.Count);

        await Eventually(async () => (await _grains.InAreaAsync(box, cells)).Count == inside.Count);
        List<TwinSummary> found = await _grains.InAreaAsync(box, cells);
        Assert.Equal(inside.Order(), found.Select(t => t.Id).Order());
    }

    [Fact]
    public async Task Cell_counts_twins_by_kind_and_status()
    {
        var p = new GeoPoint(43.0055, 52.0055);
        (ITwinGrain light, ulong devEui, _) = await ProvisionAtAsync(TwinKind.Streetlight, p);
        await ProvisionAtAsync(TwinKind.Streetlight, p);
        await light.UplinkAsync(new Uplink(devEui, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.On, true)]));
        ICellGrain cell = _grains.GetGrain<ICellGrain>(CellGrid.CellOf(p));

        await Eventually(async () =>
        {
            CellStats stats = await cell.GetStatsAsync();
            return stats.Counts[CellStats.Index((int)TwinKind.Streetlight, (int)TwinStatus.Online)] == 1
                && stats.Counts[CellStats.Index((int)TwinKind.Streetlight, (int)TwinStatus.Unknown)] == 1;
        });
    }

    [Fact]
    public async Task A_page_is_the_first_twins_after_the_cursor_in_key_order_over_several_cells()
    {
        // Streetlights and water meters across several cells of a corner no other test uses.
        var box = new GeoBox(MinLon: 53.0000, MinLat: 44.0000, MaxLon: 53.0200, MaxLat: 44.0200);
        var lights = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            var p = new GeoPoint(44.0005 + (i % 4 * 0.005), 53.0005 + (i / 4 * 0.005));
            (_, _, string id) = await ProvisionAtAsync(i % 3 == 0 ? TwinKind.WaterMeter : TwinKind.Streetlight, p);
            if (i % 3 != 0)
            {
                lights.Add(id);
            }
        }

        List<long> cells = CellGrid.CellsOf(box)!;
        Assert.True(cells.Count > 1, "the area spans several cells");
        lights.Sort(StringComparer.Ordinal);
        await Eventually(async () => (await _grains.PageAsync(new TwinPageQuery(TwinKind.Streetlight, null, box, null, 100), cells)).Count == lights.Count);

        var paged = new List<string>();
        TwinKey? after = null;
        while (true)
        {
            List<TwinSummary> page = await _grains.PageAsync(new TwinPageQuery(TwinKind.Streetlight, null, box, after, 3), cells);
            Assert.True(page.Count <= 3);
            if (page.Count == 0)
            {
                break;
            }

            paged.AddRange(page.Select(t => t.Id));
            after = page[^1].Key;
        }

        Assert.Equal(lights, paged);
    }

    private async Task<(ITwinGrain Twin, ulong DevEui, string Id)> ProvisionAtAsync(TwinKind kind, GeoPoint position)
    {
        string id = $"C-{Guid.NewGuid():N}"[..20];
        ulong devEui = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        await _grains.GetDevice(devEui).RegisterAsync(new DeviceRegistration(devEui, kind, id, id, position, "cayenne-lpp", 600));
        return (_grains.GetTwin(kind, id), devEui, id);
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the cells did not reach the expected state within 10 s");
            await Task.Delay(20);
        }
    }
}
