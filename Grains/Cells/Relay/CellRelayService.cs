using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Cells;

namespace TwinCity.Grains.Cells.Relay;

/// <summary>
/// Takes a batch of changes from another silo and passes each cell its own changes in one local call.
/// Reentrant: it only hands the changes on, so batches from several silos need not wait for each other.
/// </summary>
[Reentrant]
public sealed class CellRelayService(GrainId id, Silo silo, ILoggerFactory loggerFactory, IGrainFactory grains)
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
}
