namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>
/// The road surface state in a twincity-traffic-v1 frame (bits 4-6 of the flags byte). The values are
/// on the wire: never renumber.
/// </summary>
public enum RoadSurface : byte
{
    /// <summary>The counter has no surface sensor, or it could not tell; the twin's <c>surface</c> is left as it was.</summary>
    Unknown = 0,
    Dry = 1,
    Wet = 2,
    Ice = 3,
    Snow = 4,
    Flooded = 5,
}
