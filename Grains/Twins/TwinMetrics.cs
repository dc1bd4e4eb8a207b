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

    public TwinMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _active = _meter.CreateUpDownCounter<long>("twincity.twins.active", "{twin}", "Twin activations on this silo, by kind");
        _commands = _meter.CreateCounter<long>("twincity.commands", "{command}", "Commands entering a status, by status");
        _chainsStopped = _meter.CreateCounter<long>("twincity.rules.chains_stopped", "{firing}", "Rule firings not carried out because the chain of rules firing each other was deeper than Rules:MaxChainDepth, by rule");
    }

    public void Activated(TwinKind kind) => _active.Add(1, new KeyValuePair<string, object?>("kind", kind.ToUrlName()));

    public void Deactivated(TwinKind kind) => _active.Add(-1, new KeyValuePair<string, object?>("kind", kind.ToUrlName()));

    public void CommandEntered(CommandStatus status) =>
        _commands.Add(1, new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));

    public void RuleChainStopped(string rule) =>
        _chainsStopped.Add(1, new KeyValuePair<string, object?>("rule", rule));

    public void Dispose() => _meter.Dispose();
}
