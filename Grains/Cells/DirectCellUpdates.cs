using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Cells;

/// <summary>Each change is one one-way call to the cell grain: on one silo every call is local.</summary>
public sealed class DirectCellUpdates(IGrainFactory grains) : ICellUpdates
{
    public void Update(long cell, TwinSummary summary) => grains.Grain<ICellGrain>(cell).UpdateAsync(summary).Ignore();

    public void Leave(long cell, TwinSummary summary) => grains.Grain<ICellGrain>(cell).LeaveAsync(summary).Ignore();
}
