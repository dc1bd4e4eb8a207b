using TwinCity.Grains.Interfaces.Cells;

namespace TwinCity.Grains.Cells;

/// <summary>
/// The set of cells that hold twins. Soft state like the cells themselves: each cell registers when it
/// first holds a twin, so after a restart of the whole city the set fills as twins report. A city grain
/// that activates again while the cells live on (its silo was lost or stopped) first asks every silo
/// which of its cells hold twins, since those cells registered once and will not again.
/// </summary>
public sealed class CityGrain(ICellUpdates cells) : Grain, ICityGrain
{
    /// <summary>How long an activation waits for the silos to say which cells they hold.</summary>
    private static readonly TimeSpan AskFor = TimeSpan.FromSeconds(3);

    private readonly HashSet<long> _cells = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        _cells.UnionWith(await cells.RegisteredCellsAsync(AskFor));

    public Task AddCellAsync(long cell)
    {
        _cells.Add(cell);
        return Task.CompletedTask;
    }

    public ValueTask<long[]> GetCellsAsync() => ValueTask.FromResult(_cells.ToArray());
}
