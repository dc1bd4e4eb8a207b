namespace TwinCity.Grains.Twins;

/// <summary>
/// The registry's record that a twin exists, written by the twin itself when it is first provisioned
/// (<see cref="StoredTwinDirectory"/> reads it). Small on purpose: a record per twin of the city.
/// </summary>
[GenerateSerializer, Alias("twincity.twin-directory-entry")]
public sealed class TwinDirectoryEntry
{
    /// <summary>When the twin was first provisioned.</summary>
    [Id(0)] public DateTime Since { get; set; }
}
