using TwinCity.Grains.Interfaces.Cells;

namespace TwinCity.Grains.Cells;

/// <summary>
/// The set of cells that hold twins. Soft state like the cells themselves: cells register again
/// when they activate, so after a restart the set fills as twins report.
/// </summary>
public sealed class CityGrain : Grain, ICityGrain
{
    private readonly HashSet<long> _cells = [];

    public Task AddCellAsync(long cell)
    {
        _cells.Add(cell);
        return Task.CompletedTask;
    }

    public ValueTask<long[]> GetCellsAsync() => ValueTask.FromResult(_cells.ToArray());
}
