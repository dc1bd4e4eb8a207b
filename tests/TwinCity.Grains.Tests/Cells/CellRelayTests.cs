using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TwinCity.Grains.Cells;
using TwinCity.Grains.Cells.Relay;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;
using static TwinCity.Grains.Tests.Cells.RelaySilos;

namespace TwinCity.Grains.Tests.Cells;

/// <summary>
/// In a cluster a twin's changes for a cell on another silo go there in batches, one per silo per
/// window, and arrive whole; changes for a cell on the same silo go straight to it.
/// </summary>
public sealed class CellRelayTests() : TestSilos<CellRelayTests.WithRelay>(2)
{
    private static readonly GeoPoint Where = new(40.40, 49.86);
    private static readonly long Cell = CellGrid.CellOf(Where);

    [Fact]
    public async Task Changes_for_a_cell_on_another_silo_go_there_in_a_few_batches_and_all_arrive()
    {
        ICellGrain cell = Cluster.GrainFactory.GetGrain<ICellGrain>(Cell);
        SiloAddress host = await cell.HostAsync();
        CellRelay relay = RelayOn(Cluster.GetActiveSilos().First(s => !s.SiloAddress.Equals(host)));

        // The first change goes straight to the cell while the relay learns where the cell is.
        relay.Update(Cell, Summary("relay-0", 1));
        await UntilAsync(() => Task.FromResult(relay.KnownCells == 1), "the relay never learnt the cell's silo");
        Assert.Equal(1, relay.Direct);

        const int Twins = 300;
        for (int i = 0; i < Twins; i++)
        {
            relay.Update(Cell, Summary($"relay-{i}", 2));
        }

        relay.Leave(Cell, Summary("relay-0", 3));
        await UntilAsync(async () => (await cell.GetTwinsAsync()).Length == Twins - 1, "not every relayed change reached the cell");

        TwinSummary[] twins = await cell.GetTwinsAsync();
        Assert.All(twins, t => Assert.Equal(2, t.Version));
        Assert.DoesNotContain(twins, t => t.Id == "relay-0");
        Assert.Equal(Twins + 1, relay.Batched);
        Assert.Equal(1, relay.Direct);
        Assert.InRange(relay.Batches, 1, 10);
    }

    [Fact]
    public async Task Changes_for_a_cell_on_the_same_silo_go_straight_to_it()
    {
        ICellGrain cell = Cluster.GrainFactory.GetGrain<ICellGrain>(Cell);
        SiloAddress host = await cell.HostAsync();
        CellRelay relay = RelayOn(Cluster.GetActiveSilos().First(s => s.SiloAddress.Equals(host)));

        relay.Update(Cell, Summary("local-0", 1));
        await UntilAsync(() => Task.FromResult(relay.KnownCells == 1), "the relay never learnt the cell's silo");
        relay.Update(Cell, Summary("local-1", 1));
        await UntilAsync(async () => (await cell.GetTwinsAsync()).Length == 2, "a change did not reach the cell");

        Assert.Equal(2, relay.Direct);
        Assert.Equal(0, relay.Batched);
    }

    [Fact]
    public async Task When_the_cells_silo_leaves_changes_reach_the_cell_again_on_the_silo_that_is_left()
    {
        ICellGrain cell = Cluster.GrainFactory.GetGrain<ICellGrain>(Cell);
        SiloAddress host = await cell.HostAsync();
        SiloHandle survivor = Cluster.GetActiveSilos().First(s => !s.SiloAddress.Equals(host));
        CellRelay relay = RelayOn(survivor);
        relay.Update(Cell, Summary("moved-0", 1));
        await UntilAsync(() => Task.FromResult(relay.KnownCells == 1), "the relay never learnt the cell's silo");

        await Cluster.StopSiloAsync(Cluster.GetActiveSilos().First(s => s.SiloAddress.Equals(host)));
        await UntilAsync(() => Task.FromResult(relay.KnownCells == 0), "the relay kept the gone silo as the cell's");

        relay.Update(Cell, Summary("moved-1", 1));
        await UntilAsync(async () => (await cell.GetTwinsAsync()).Any(t => t.Id == "moved-1"), "the change never reached the cell on the silo left");
        Assert.Equal(survivor.SiloAddress, await cell.HostAsync());
    }

    private static TwinSummary Summary(string id, long version) =>
        new(TwinKind.Streetlight, id, version, Where, TwinStatus.Online, [Reading.Of(TwinProperty.DimLevel, version)], DateTime.UtcNow);

    /// <summary>The grains as a cluster silo runs them: changes for cells elsewhere go through the relay.</summary>
    public sealed class WithRelay : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            ClusterFixture.AddTestGrains(siloBuilder);
            siloBuilder.AddCellRelay();
        }
    }
}
