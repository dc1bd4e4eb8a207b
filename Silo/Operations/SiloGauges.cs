using System.Diagnostics.Metrics;
using TwinCity.Web.Live;

namespace TwinCity.Silo.Operations;

/// <summary>Gauges read when /metrics is scraped: what this silo serves right now.</summary>
internal sealed class SiloGauges : IDisposable
{
    public const string MeterName = "TwinCity.Silo";

    private readonly Meter _meter;

    public SiloGauges(IMeterFactory meters, LiveViewers viewers)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("twincity.viewers.connected", () => viewers.ConnectionCount, "{connection}", "SignalR map viewers connected to this silo");
        _meter.CreateObservableGauge("twincity.gc.heap_after_full_collection", HeapAfterFullCollection, "By",
            "Managed heap right after the latest full (gen2) collection: what was live then, with fragmentation; the heap size the runtime reports at other times counts garbage not yet collected");
    }

    private static long HeapAfterFullCollection()
    {
        GCMemoryInfo blocking = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        GCMemoryInfo background = GC.GetGCMemoryInfo(GCKind.Background);
        GCMemoryInfo latest = blocking.Index >= background.Index ? blocking : background;
        // Before the first full collection, the latest of any kind.
        return latest.Index == 0 ? GC.GetGCMemoryInfo().HeapSizeBytes : latest.HeapSizeBytes;
    }

    public void Dispose() => _meter.Dispose();
}
