using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using TwinCity.Grains.Cells.Relay;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Tests.Twins;
using static TwinCity.Grains.Tests.Cells.RelaySilos;

namespace TwinCity.Grains.Tests.Cells;

/// <summary>
/// Cells and the city's set of cells are held only in memory and fed by the twins. When the silo that
/// held a cell (or the city grain) leaves, what lives on in the other silos rebuilds it without waiting
/// for a twin to change: the twins still active tell a cell that activates again of themselves, and the
/// cells still active tell a city grain that activates again that they hold twins.
/// </summary>
public sealed class CellRecoveryTests() : TestSilos<CellRecoveryTests.Spread>(2)
{
    [Fact]
    public async Task A_cell_that_activates_again_after_its_silo_left_holds_the_twins_that_live_on_without_them_changing()
    {
        IGrainFactory grains = Cluster.GrainFactory;
        IManagementGrain management = grains.GetGrain<IManagementGrain>(0);
        var where = new GeoPoint(40.41, 49.87);
        long cellKey = CellGrid.CellOf(where);
        string[] ids = await ProvisionAsync(grains, Enumerable.Repeat(where, 24));
        ICellGrain cell = grains.GetGrain<ICellGrain>(cellKey);
        await UntilAsync(async () => (await cell.GetTwinsAsync()).Length == ids.Length, "the cell never held every twin");

        SiloAddress host = await cell.HostAsync();
        SiloHandle survivor = Cluster.GetActiveSilos().First(s => !s.SiloAddress.Equals(host));
        Dictionary<string, long> livingOn = [];
        foreach (string id in ids)
        {
            ITwinGrain twin = grains.GetTwin(TwinKind.Streetlight, id);
            if (survivor.SiloAddress.Equals(await management.GetActivationAddress(twin)))
            {
                livingOn[id] = (await twin.GetAsync())!.Version;
            }
        }

        Assert.NotEmpty(livingOn);
        Assert.Equal(livingOn.Count, RelayOn(survivor).TwinsIn(cellKey).Length);

        await Cluster.StopSiloAsync(Cluster.GetActiveSilos().First(s => s.SiloAddress.Equals(host)));

        // No twin changes. The cell wakes on the silo left (this call wakes it) and fills again.
        await UntilAsync(
            async () =>
            {
                TwinSummary[] known = await cell.GetTwinsAsync();
                return livingOn.All(t => known.Any(k => k.Id == t.Key && k.Version == t.Value));
            },
            "the cell that woke again does not hold every twin still active on the silo left");
        Assert.Equal(survivor.SiloAddress, await cell.HostAsync());
        foreach ((string id, long version) in livingOn)
        {
            Assert.Equal(version, (await grains.GetTwin(TwinKind.Streetlight, id).GetAsync())!.Version);
        }
    }

    [Fact]
    public async Task A_city_grain_that_activates_again_after_its_silo_left_lists_the_cells_that_live_on()
    {
        IGrainFactory grains = Cluster.GrainFactory;
        IManagementGrain management = grains.GetGrain<IManagementGrain>(0);

        // One twin in each of 24 cells, so that cells are on both silos.
        GeoPoint[] places = [.. Enumerable.Range(0, 24).Select(i => new GeoPoint(40.30 + (0.02 * i), 49.70))];
        long[] cells = [.. places.Select(CellGrid.CellOf)];
        await ProvisionAsync(grains, places);
        ICityGrain city = grains.GetGrain<ICityGrain>(0);
        await UntilAsync(async () => cells.All((await city.GetCellsAsync()).Contains), "the city never listed every cell");

        SiloAddress cityHost = (await management.GetActivationAddress(city))!;
        var livingOn = new List<long>();
        foreach (long cell in cells)
        {
            if (!cityHost.Equals(await grains.GetGrain<ICellGrain>(cell).HostAsync()))
            {
                livingOn.Add(cell);
            }
        }

        Assert.NotEmpty(livingOn);
        await Cluster.StopSiloAsync(Cluster.GetActiveSilos().First(s => s.SiloAddress.Equals(cityHost)));

        // The city grain wakes on the silo left already knowing the cells there: no twin has changed,
        // and those cells registered once, long before.
        long[] listed = await city.GetCellsAsync();
        Assert.All(livingOn, cell => Assert.Contains(cell, listed));
    }

    [Fact]
    public async Task A_silo_remembers_a_twin_only_in_the_cell_it_tells_and_only_while_it_is_active()
    {
        IGrainFactory grains = Cluster.GrainFactory;
        IManagementGrain management = grains.GetGrain<IManagementGrain>(0);
        var from = new GeoPoint(40.40, 49.86);
        var to = new GeoPoint(40.45, 49.90);
        string id = $"B-{Guid.NewGuid():N}"[..20];
        ulong devEui = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        await grains.GetDevice(devEui).RegisterAsync(new DeviceRegistration(devEui, TwinKind.Bus, id, "bus " + id, from, "cayenne-lpp", 1));
        ITwinGrain bus = grains.GetTwin(TwinKind.Bus, id);
        SiloAddress? at = await management.GetActivationAddress(bus);
        SiloHandle home = Cluster.GetActiveSilos().First(s => s.SiloAddress.Equals(at));
        CellRelay relay = RelayOn(home);
        Assert.Single(relay.TwinsIn(CellGrid.CellOf(from)));

        // The bus drives into another cell: the silo records it there, and there only.
        await bus.UplinkAsync(new Uplink(devEui, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.Lat, to.Lat), Reading.Of(TwinProperty.Lon, to.Lon)]));
        Assert.Empty(relay.TwinsIn(CellGrid.CellOf(from)));
        Assert.Single(relay.TwinsIn(CellGrid.CellOf(to)));

        // Gone quiet (it reports every second) and taken out of memory, it no longer tells any cell from this silo.
        await UntilAsync(
            async () =>
            {
                await management.ForceActivationCollection(TimeSpan.Zero);
                return relay.TwinsIn(CellGrid.CellOf(to)).Length == 0;
            },
            "a deactivated twin stayed in the silo's record");
        Assert.False(await TwinScenario.IsActiveAsync(management, bus));
        Assert.Equal(0, relay.LocalTwins);
    }

    private static async Task<string[]> ProvisionAsync(IGrainFactory grains, IEnumerable<GeoPoint> places)
    {
        var ids = new List<string>();
        foreach (GeoPoint place in places)
        {
            string id = $"R-{Guid.NewGuid():N}"[..20];
            ulong devEui = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
            await grains.GetDevice(devEui).RegisterAsync(new DeviceRegistration(devEui, TwinKind.Streetlight, id, "recovery " + id, place, "cayenne-lpp", 600));
            ids.Add(id);
        }

        return [.. ids];
    }

    /// <summary>Cluster grains with the relay, placed at random so that twins and cells are on both silos.</summary>
    public sealed class Spread : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            ClusterFixture.AddTestGrains(siloBuilder);
            siloBuilder.AddCellRelay();
            siloBuilder.Services.AddSingleton<PlacementStrategy, RandomPlacement>();
        }
    }
}
