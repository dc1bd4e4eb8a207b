using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Live;

/// <summary>The silo's single observer of cells and twins; hands what it hears to the dispatcher.</summary>
internal sealed class LiveObserver(LiveViewers viewers) : ICellObserver, ITwinObserver
{
    public Task CellChanged(long cell, TwinSummary[] changes)
    {
        viewers.OnCellChanged(cell, changes);
        return Task.CompletedTask;
    }

    public Task RuleFired(long cell, RuleFiredNotice notice)
    {
        viewers.OnRuleFired(cell, notice);
        return Task.CompletedTask;
    }

    public Task TwinChanged(TwinDocument document)
    {
        viewers.OnTwinChanged(document);
        return Task.CompletedTask;
    }
}
