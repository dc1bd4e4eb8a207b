namespace TwinCity.Grains.Twins;

/// <summary>The silo's change hooks, gathered once: every twin runs the same ones, so one array serves them all.</summary>
public sealed class TwinChangeHooks(IEnumerable<ITwinChangeHook> hooks)
{
    public ITwinChangeHook[] All { get; } = [.. hooks];
}
