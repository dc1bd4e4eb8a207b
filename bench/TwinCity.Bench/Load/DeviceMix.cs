namespace TwinCity.Bench.Load;

/// <summary>Which kinds of device the bench city holds.</summary>
public enum DeviceMix
{
    /// <summary>A city's proportions: 60 % streetlights, 30 % water meters, 8 % road sensors, 2 % buses.</summary>
    City,

    /// <summary>Streetlights only (the latency probe and the command scenario use their payloads).</summary>
    Streetlights,
}
