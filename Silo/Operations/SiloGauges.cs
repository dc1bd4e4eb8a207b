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
        _meter.CreateObservableGauge("twincity.gc.live_after_full_collection", LiveAfterFullCollection, "By",
            "Bytes of objects that survived the latest full (gen2) collection: the live managed heap then, without the free space between objects; the runtime's heap size also counts garbage not yet collected and that free space");
    }

    private static long LiveAfterFullCollection()
    {
        GCMemoryInfo blocking = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        GCMemoryInfo background = GC.GetGCMemoryInfo(GCKind.Background);
        GCMemoryInfo latest = blocking.Index >= background.Index ? blocking : background;
        if (latest.Index == 0)
        {
            // No full collection yet: the latest of any kind.
            latest = GC.GetGCMemoryInfo();
        }

        // A background collection does not compact: what it frees stays in the heap as free space.
        return latest.HeapSizeBytes - latest.FragmentedBytes;
    }

    public void Dispose() => _meter.Dispose();
}
