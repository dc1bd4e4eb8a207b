using System.Diagnostics.Metrics;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>Ingest's meters (exported on /metrics) and the totals this silo reports about itself.</summary>
public sealed class IngestMetrics : IDisposable
{
    public const string MeterName = "TwinCity.Ingest";

    private readonly Meter _meter;
    private readonly Counter<long> _duplicatesCounter;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _retries;

    /// <summary>
    /// Uplinks applied, by kind, read by the exporter at each scrape: a counter added to with a tag
    /// for every uplink costs a lookup of its tags in the meter's aggregator each time, a few
    /// percent of a silo's CPU at tens of thousands of uplinks a second.
    /// </summary>
    private readonly long[] _applied = new long[TwinKinds.All.Count];
    private long _duplicates;
    private long _forwarded;
    private long _forwardBatches;
    private long _forwardedIn;
    private long _takeovers;
    private long _setAside;

    public IngestMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _meter.CreateObservableCounter("twincity.ingest.uplinks", AppliedByKind, "{uplink}", "Uplinks applied to twins, by kind");
        _duplicatesCounter = _meter.CreateCounter<long>("twincity.ingest.duplicates", "{uplink}", "Uplinks dropped as already applied");
        _deadLetters = _meter.CreateCounter<long>("twincity.ingest.dead_letters", "{message}", "Messages dead-lettered, by reason");
        _retries = _meter.CreateCounter<long>("twincity.ingest.retries", "{message}", "Messages left for redelivery after a passing fault");
        _meter.CreateObservableCounter("twincity.ingest.forwarded", () => Forwarded, "{message}", "Messages this silo received for devices another silo owns and passed to it");
        _meter.CreateObservableCounter("twincity.ingest.forward_batches", () => Interlocked.Read(ref _forwardBatches), "{batch}", "Batches of messages passed to the silos that own their devices");
        _meter.CreateObservableCounter("twincity.ingest.forwarded_in", () => ForwardedIn, "{message}", "Messages other silos passed to this one, the owner of their devices");
        _meter.CreateObservableCounter("twincity.ingest.takeovers", () => Takeovers, "{session}", "Broker sessions of dead silos this silo took over and ended");
        _meter.CreateObservableCounter("twincity.ingest.set_aside", () => SetAsideTotal, "{message}", "Messages set aside in ingest's lanes, outside the MQTT window, behind a twin call that a silent silo left unanswered");
    }

    /// <summary>Uplinks applied by this silo since it started.</summary>
    public long Applied
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _applied.Length; i++)
            {
                total += Interlocked.Read(ref _applied[i]);
            }

            return total;
        }
    }

    /// <summary>Uplinks dropped as already applied by this silo since it started.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Messages this silo passed to the silos that own their devices.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Messages other silos passed to this one.</summary>
    public long ForwardedIn => Interlocked.Read(ref _forwardedIn);

    /// <summary>Dead silos' broker sessions this silo took over.</summary>
    public long Takeovers => Interlocked.Read(ref _takeovers);

    /// <summary>Messages set aside behind a twin call that a silent silo left unanswered.</summary>
    public long SetAsideTotal => Interlocked.Read(ref _setAside);

    public void SetAside(int messages) => Interlocked.Add(ref _setAside, messages);

    public void AddForwarded(int messages)
    {
        Interlocked.Add(ref _forwarded, messages);
        Interlocked.Increment(ref _forwardBatches);
    }

    public void AddForwardedIn(int messages) => Interlocked.Add(ref _forwardedIn, messages);

    public void TookOver() => Interlocked.Increment(ref _takeovers);

    public void UplinkApplied(TwinKind kind) => Interlocked.Increment(ref _applied[(int)kind]);

    public void Duplicate()
    {
        Interlocked.Increment(ref _duplicates);
        _duplicatesCounter.Add(1);
    }

    public void DeadLettered(string reason) => _deadLetters.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Retry() => _retries.Add(1);

    /// <summary>Exports the MQTT consumer's messages held and not yet acknowledged, read at each scrape.</summary>
    public void ObservePending(Func<long> pending) =>
        _meter.CreateObservableGauge("twincity.ingest.mqtt.pending", pending, "{message}", "MQTT messages taken from the broker and not yet acknowledged (bounded by Mqtt:InFlight)");

    public void Dispose() => _meter.Dispose();

    /// <summary>The kinds that have had an uplink applied, as a tagged counter would show them.</summary>
    private IEnumerable<Measurement<long>> AppliedByKind()
    {
        foreach (TwinKind kind in TwinKinds.All)
        {
            long applied = Interlocked.Read(ref _applied[(int)kind]);
            if (applied > 0)
            {
                yield return new Measurement<long>(applied, new KeyValuePair<string, object?>("kind", kind.ToUrlName()));
            }
        }
    }
}
