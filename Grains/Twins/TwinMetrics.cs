using System.Diagnostics.Metrics;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>The twins' meters (exported on /metrics): active twins per kind on this silo, command status changes, rule chains stopped.</summary>
public sealed class TwinMetrics : IDisposable
{
    public const string MeterName = "TwinCity.Twins";

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _commands;
    private readonly Counter<long> _chainsStopped;
    private long _localUplinks;
    private long _remoteUplinks;

    public TwinMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _active = _meter.CreateUpDownCounter<long>("twincity.twins.active", "{twin}", "Twin activations on this silo, by kind");
        _commands = _meter.CreateCounter<long>("twincity.commands", "{command}", "Commands entering a status, by status");
        _chainsStopped = _meter.CreateCounter<long>("twincity.rules.chains_stopped", "{firing}", "Rule firings not carried out because the chain of rules firing each other was deeper than Rules:MaxChainDepth, by rule");
        _meter.CreateObservableCounter("twincity.twins.uplinks", UplinksByPlacement, "{uplink}",
            "Uplinks applied by twins on this silo: placement=local when the silo whose ingest sent it hosts the twin, remote when the call crossed to another silo");
    }

    public void Activated(TwinKind kind) => _active.Add(1, new KeyValuePair<string, object?>("kind", kind.ToUrlName()));

    public void Deactivated(TwinKind kind) => _active.Add(-1, new KeyValuePair<string, object?>("kind", kind.ToUrlName()));

    public void CommandEntered(CommandStatus status) =>
        _commands.Add(1, new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));

    public void RuleChainStopped(string rule) =>
        _chainsStopped.Add(1, new KeyValuePair<string, object?>("rule", rule));

    /// <summary>Uplinks twins on this silo applied from this silo's own ingest.</summary>
    public long LocalUplinks => Interlocked.Read(ref _localUplinks);

    /// <summary>Uplinks twins on this silo applied from another silo's ingest (the call crossed between silos).</summary>
    public long RemoteUplinks => Interlocked.Read(ref _remoteUplinks);

    /// <summary>Counts an applied uplink by where its ingest ran; one pair of plain counters, read at each scrape.</summary>
    public void UplinkApplied(bool local)
    {
        if (local)
        {
            Interlocked.Increment(ref _localUplinks);
        }
        else
        {
            Interlocked.Increment(ref _remoteUplinks);
        }
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> UplinksByPlacement()
    {
        yield return new Measurement<long>(LocalUplinks, new KeyValuePair<string, object?>("placement", "local"));
        yield return new Measurement<long>(RemoteUplinks, new KeyValuePair<string, object?>("placement", "remote"));
    }
}
