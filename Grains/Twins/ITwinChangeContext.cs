using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>What a change hook sees of the twin that changed, and what it may ask of it.</summary>
public interface ITwinChangeContext
{
    TwinKind Kind { get; }

    string Id { get; }

    GeoPoint Position { get; }

    TwinStatus Status { get; }

    long Version { get; }

    DateTime Now { get; }

    IGrainFactory GrainFactory { get; }

    /// <summary>
    /// When the change was made by a rule's command: the depth of the rule chain behind it (0: the change
    /// came from the device, an agency or the twin itself).
    /// </summary>
    int ChainDepth { get; }

    /// <summary>The reported value of a property now, if the device reported it.</summary>
    ReportedValue? Get(TwinProperty property);

    /// <summary>Per-twin scratch state owned by the hook (kept in memory while the twin is active).</summary>
    IDictionary<string, object> HookState { get; }

    /// <summary>Asks the twin to call the hook again after <paramref name="delay"/> even if nothing changes (conditions held for a duration).</summary>
    void CallAgainAfter(TimeSpan delay);
}
