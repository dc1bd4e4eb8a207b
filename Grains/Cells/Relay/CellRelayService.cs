using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Cells;

namespace TwinCity.Grains.Cells.Relay;

/// <summary>
/// Takes a batch of changes from another silo and passes each cell its own changes in one local call,
/// and answers for this silo's twins and cells when cells or the city's set of them are rebuilt.
/// Reentrant: it only hands things on, so calls from several silos need not wait for each other.
/// </summary>
[Reentrant]
public sealed class CellRelayService(GrainId id, Silo silo, ILoggerFactory loggerFactory, IGrainFactory grains, CellRelay relay)
    : GrainService(id, silo, loggerFactory), ICellRelayService
{
    public Task DeliverAsync(long[] cells, CellChange[] changes)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(changes);
        int count = Math.Min(cells.Length, changes.Length);
        var byCell = new Dictionary<long, List<CellChange>>();
        for (int i = 0; i < count; i++)
        {
            if (!byCell.TryGetValue(cells[i], out List<CellChange>? list))
            {
                byCell[cells[i]] = list = [];
            }

            list.Add(changes[i]);
        }

        foreach ((long cell, List<CellChange> list) in byCell)
        {
            grains.Grain<ICellGrain>(cell).ApplyChangesAsync([.. list]).Ignore();
        }

        return Task.CompletedTask;
    }

    public Task RepublishAsync(long[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        foreach (long cell in cells)
        {
            foreach (ICellMember twin in relay.TwinsIn(cell))
            {
                twin.PublishAgain(grains);
            }
        }

        return Task.CompletedTask;
    }

    public Task<long[]> RegisteredCellsAsync() => Task.FromResult(relay.RegisteredCells());
}
