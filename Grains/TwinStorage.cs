namespace TwinCity.Grains;

/// <summary>Names of the grain storage providers the grains use; the host configures them.</summary>
public static class TwinStorage
{
    /// <summary>Twin snapshots.</summary>
    public const string Name = "twins";

    /// <summary>Device registrations, rules and other small records that are written on every change.</summary>
    public const string Registry = "registry";
}
