namespace TwinCity.Silo.Simulation;

/// <summary>
/// Shapes of a Baku weekday by local hour, each relative to its own peak (1.0): road traffic with its
/// two rush hours and household water demand with its morning and evening peaks.
/// </summary>
internal static class DailyProfile
{
    // Anchors at each whole hour 0..24, interpolated linearly between them.
    private static readonly double[] TrafficByHour =
    [
        0.12, 0.07, 0.05, 0.04, 0.05, 0.12, 0.35, 0.75, 1.00, 0.95, 0.72, 0.60, 0.62,
        0.65, 0.62, 0.65, 0.75, 0.92, 1.00, 0.95, 0.70, 0.50, 0.35, 0.22, 0.12,
    ];

    private static readonly double[] WaterByHour =
    [
        0.08, 0.05, 0.04, 0.04, 0.05, 0.12, 0.45, 0.85, 0.90, 0.60, 0.40, 0.38, 0.45,
        0.50, 0.40, 0.35, 0.38, 0.50, 0.70, 0.85, 0.90, 0.75, 0.45, 0.20, 0.08,
    ];

    public static double Traffic(double localHour) => Interpolate(TrafficByHour, localHour);

    public static double WaterDemand(double localHour) => Interpolate(WaterByHour, localHour);

    /// <summary>The morning (07–10) and evening (17–20) rush hours.</summary>
    public static bool IsRushHour(double localHour) => localHour is >= 7 and < 10 or >= 17 and < 20;

    /// <summary>Daytime for parking: shops, offices and errands keep bays turning over.</summary>
    public static bool IsBusyDay(double localHour) => localHour is >= 7 and < 21;

    private static double Interpolate(double[] anchors, double hour)
    {
        hour = ((hour % 24.0) + 24.0) % 24.0;
        int i = (int)hour;
        double t = hour - i;
        return anchors[i] + ((anchors[i + 1] - anchors[i]) * t);
    }
}
