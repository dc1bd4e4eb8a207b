using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Rules;

/// <summary>What one twin remembers about one rule between its changes (in memory, while the twin is active).</summary>
internal sealed class RuleTrack(long ruleVersion, int conditions)
{
    public long RuleVersion { get; } = ruleVersion;

    /// <summary>Whether the trigger was met at the last evaluation: a rule fires when it becomes met.</summary>
    public bool Active { get; set; }

    /// <summary>Per condition: met at the last evaluation (hysteresis keeps it met until the value is clearly back).</summary>
    public bool[] Holding { get; } = new bool[conditions];

    /// <summary>Per condition: since when it has held without a break (for conditions that must hold a while).</summary>
    public DateTime?[] Since { get; } = new DateTime?[conditions];

    /// <summary>Per condition: the value seen last (for <c>changed</c>).</summary>
    public PropertyValue?[] Last { get; } = new PropertyValue?[conditions];

    public DateTime LastFired { get; set; }

    public DateTime LastNotified { get; set; }

    /// <summary>For a stretch of route: the twins reached last time, so that those the bus has passed are let go.</summary>
    public TwinKey[] LastTargets { get; set; } = [];

    public string? Route { get; set; }

    public double? Along { get; set; }

    public int Direction { get; set; }
}
