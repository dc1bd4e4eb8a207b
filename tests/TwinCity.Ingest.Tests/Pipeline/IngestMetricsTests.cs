using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Ingest.Tests.Pipeline;

public sealed class IngestMetricsTests
{
    [Fact]
    public void Uplinks_applied_are_exported_by_kind_and_counted_in_total()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var metrics = new IngestMetrics(services.GetRequiredService<IMeterFactory>());
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == IngestMetrics.MeterName && instrument.Name == "twincity.ingest.uplinks")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "kind")
                {
                    seen[(string)tag.Value!] = value;
                }
            }
        });
        listener.Start();

        for (int i = 0; i < 3; i++)
        {
            metrics.UplinkApplied(TwinKind.Streetlight);
        }

        metrics.UplinkApplied(TwinKind.Bus);
        listener.RecordObservableInstruments();

        Assert.Equal(4, metrics.Applied);
        Assert.Equal(2, seen.Count);
        Assert.Equal(3, seen["streetlights"]);
        Assert.Equal(1, seen["buses"]);

        metrics.UplinkApplied(TwinKind.WaterMeter);
        listener.RecordObservableInstruments();

        Assert.Equal(5, metrics.Applied);
        Assert.Equal(1, seen["water-meters"]);
        Assert.Equal(3, seen["streetlights"]);
    }
}
