using Orleans.Concurrency;

namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>The recent firings of one rule (key: the rule id).</summary>
[Alias("twincity.IRuleFiringsGrain")]
public interface IRuleFiringsGrain : IGrainWithStringKey
{
    [OneWay, Alias("Record")]
    Task RecordAsync(RuleFiring firing);

    /// <summary>The newest first.</summary>
    [Alias("List")]
    ValueTask<RuleFiring[]> ListAsync(int limit);

    [Alias("Clear")]
    Task ClearAsync();
}
