using Orleans.Concurrency;

namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>
/// The silo's call to a twin whose housekeeping is due (its device may have gone quiet, its snapshot
/// may be due). Every twin grain takes it; the twin looks at its own clock, so a call that comes
/// early or twice does nothing.
/// </summary>
[Alias("twincity.ITwinHousekeepingGrain")]
public interface ITwinHousekeepingGrain : IGrainWithStringKey
{
    [OneWay, Alias("Due")]
    Task DueAsync();
}
