using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Cells;

/// <summary>
/// Each change is one one-way call to the cell grain: on one silo every call is local. A single silo
/// loses its cells only with itself, so there is nothing to rebuild them from and nothing is kept for it.
/// </summary>
public sealed class DirectCellUpdates(IGrainFactory grains) : ICellUpdates
{
    public void Update(long cell, TwinSummary summary) => grains.Grain<ICellGrain>(cell).UpdateAsync(summary).Ignore();

    public void Leave(long cell, TwinSummary summary) => grains.Grain<ICellGrain>(cell).LeaveAsync(summary).Ignore();

    public void TwinEntered(ICellMember twin, long cell, long? from)
    {
    }

    public void TwinDeparted(ICellMember twin, long cell)
    {
    }

    public void CellActivated(long cell)
    {
    }

    public void CellRegistered(long cell)
    {
    }

    public void CellDeactivated(long cell)
    {
    }

    public Task<long[]> RegisteredCellsAsync(TimeSpan timeout) => Task.FromResult(Array.Empty<long>());
}
