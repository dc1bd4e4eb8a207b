namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>Names of the twin kinds on the wire (URL segments) and which agency commands each.</summary>
public static class TwinKinds
{
    public static readonly IReadOnlyList<TwinKind> All = [TwinKind.Streetlight, TwinKind.WaterMeter, TwinKind.RoadSensor, TwinKind.Bus];

    public static string ToUrlName(this TwinKind kind) => kind switch
    {
        TwinKind.Streetlight => "streetlights",
        TwinKind.WaterMeter => "water-meters",
        TwinKind.RoadSensor => "road-sensors",
        TwinKind.Bus => "buses",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The agency that owns and commands twins of this kind (API.md, "Agencies and keys").</summary>
    public static string OwningAgency(this TwinKind kind) => kind switch
    {
        TwinKind.Streetlight => "azerishig",
        TwinKind.WaterMeter => "azersu",
        TwinKind.RoadSensor => "roads",
        TwinKind.Bus => "transport",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Accepts the URL name ("water-meters") and, for convenience, the singular ("water-meter").</summary>
    public static bool TryParse(string? text, out TwinKind kind)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "streetlights" or "streetlight":
                kind = TwinKind.Streetlight;
                return true;
            case "water-meters" or "water-meter" or "watermeter" or "watermeters":
                kind = TwinKind.WaterMeter;
                return true;
            case "road-sensors" or "road-sensor" or "roadsensor" or "roadsensors":
                kind = TwinKind.RoadSensor;
                return true;
            case "buses" or "bus":
                kind = TwinKind.Bus;
                return true;
            default:
                kind = default;
                return false;
        }
    }
}
