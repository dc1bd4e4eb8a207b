using Orleans.Concurrency;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Cells;

/// <summary>One per silo and watched cell set: a silo's live-view dispatcher, told of changes in the cells its viewers watch.</summary>
[Alias("twincity.ICellObserver")]
public interface ICellObserver : IGrainObserver
{
    /// <summary>
    /// Twins in <paramref name="cell"/> changed. A summary whose position lies outside the cell is a
    /// twin that just left it (a bus driving on): viewers of this cell should move or drop it.
    /// </summary>
    [OneWay, Alias("CellChanged")]
    Task CellChanged(long cell, TwinSummary[] changes);

    /// <summary>A rule fired with an effect in this cell.</summary>
    [OneWay, Alias("RuleFired")]
    Task RuleFired(long cell, RuleFiredNotice notice);
}
