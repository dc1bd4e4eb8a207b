using Orleans.Concurrency;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Cells;

/// <summary>
/// One cell of the city grid (key: <see cref="CellGrid.Key"/>). It knows the latest summary of
/// every twin in it, so that an area query is a few cell calls, and forwards changes only to the
/// silos that have a viewer watching it. It is a projection fed by the twins' change events: after
/// a restart it fills again as twins activate and change.
/// </summary>
[Alias("twincity.ICellGrain")]
public interface ICellGrain : IGrainWithIntegerKey
{
    /// <summary>A twin in this cell changed (or arrived).</summary>
    [OneWay, Alias("Update")]
    Task UpdateAsync(TwinSummary summary);

    /// <summary>A twin left this cell; the summary carries where it is now.</summary>
    [OneWay, Alias("Leave")]
    Task LeaveAsync(TwinSummary summary);

    /// <summary>
    /// Several changes of this cell's twins at once, in the order they were made: how changes made on
    /// other silos arrive in a cluster (see <c>CellRelay</c>), one message for many twins.
    /// </summary>
    [OneWay, Alias("ApplyChanges")]
    Task ApplyChangesAsync(CellChange[] changes);

    /// <summary>The silo this cell is active on, so that a silo relaying changes to it can batch them per silo.</summary>
    [Alias("Host")]
    ValueTask<SiloAddress> HostAsync();

    [Alias("GetTwins")]
    ValueTask<TwinSummary[]> GetTwinsAsync();

    /// <summary>The first twins after a cursor in key order, filtered: one cell's part of a page of <c>GET /twins</c>.</summary>
    [Alias("GetPage")]
    ValueTask<TwinSummary[]> GetPageAsync(TwinPageQuery query);

    [Alias("GetStats")]
    ValueTask<CellStats> GetStatsAsync();

    /// <summary>Registers (or refreshes) a silo's observer; observers not refreshed within the lease are dropped.</summary>
    [Alias("Subscribe")]
    Task SubscribeAsync(ICellObserver observer);

    [Alias("Unsubscribe")]
    Task UnsubscribeAsync(ICellObserver observer);

    /// <summary>Passes a rule's firing to the silos watching this cell.</summary>
    [OneWay, Alias("NotifyRuleFired")]
    Task NotifyRuleFiredAsync(RuleFiredNotice notice);

    /// <summary>
    /// Passes a rule's command to this cell's twins in scope; returns which twins it went to. The cell
    /// does not wait for the twins, so a twin that is itself firing a rule can never be waited on in a circle.
    /// </summary>
    [Alias("ApplyRuleEffect")]
    ValueTask<TwinKey[]> ApplyRuleEffectAsync(RuleEffectRequest request);
}
