using Orleans.Concurrency;
namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>A silo's watcher of one twin's whole document (the hub's <c>WatchTwin</c>).</summary>
[Alias("twincity.ITwinObserver")]
public interface ITwinObserver : IGrainObserver
{
    [OneWay, Alias("TwinChanged")]
    Task TwinChanged(TwinDocument document);
}
