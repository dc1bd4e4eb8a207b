namespace TwinCity.Grains.Interfaces.Geo;

/// <summary>
/// Sunrise, sunset and day or night at a place, by NOAA's solar position equations (the ones behind
/// its Solar Calculator: Meeus, "Astronomical Algorithms", low-precision terms). Accurate to about a
/// minute at city latitudes, which is all that switching lights or flagging darkness needs.
/// </summary>
/// <remarks>
/// Sunrise and sunset are the moments the sun's upper limb touches an ideal horizon, with standard
/// refraction: a centre 0.833° below the horizon. Times are UTC; longitude is positive east.
/// </remarks>
public static class SunTimes
{
    /// <summary>Solar elevation at sunrise and sunset: refraction (34′) plus the sun's radius (16′).</summary>
    public const double HorizonDeg = -0.833;

    private const double J2000 = 2451545.0;
    private const double DaysPerCentury = 36525.0;
    private const double MinutesPerDay = 1440.0;

    /// <summary>
    /// The sunrise and sunset around the solar noon of <paramref name="date"/> (a UTC date) at the
    /// place. Where the sun does not set that day both are 12 hours either side of solar noon; where it
    /// does not rise both are solar noon, a day of zero length.
    /// </summary>
    public static (DateTime SunriseUtc, DateTime SunsetUtc) For(DateOnly date, double lat, double lon)
    {
        CheckPlace(lat, lon);
        DateTime midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        return (Event(midnight, lat, lon, rising: true), Event(midnight, lat, lon, rising: false));
    }

    /// <summary>Whether the sun is below the horizon (as sunrise and sunset define it) at that moment.</summary>
    public static bool IsNight(DateTime utc, double lat, double lon) => ElevationDeg(utc, lat, lon) < HorizonDeg;

    /// <summary>The sun's elevation above the horizon in degrees, without refraction.</summary>
    public static double ElevationDeg(DateTime utc, double lat, double lon)
    {
        CheckPlace(lat, lon);
        utc = utc.Kind == DateTimeKind.Local ? utc.ToUniversalTime() : utc;
        (double declination, double equationOfTime) = Sun(utc);
        double minutesOfDay = utc.TimeOfDay.TotalMinutes;
        double trueSolarTime = Mod(minutesOfDay + equationOfTime + (4.0 * lon), MinutesPerDay);
        double hourAngle = (trueSolarTime / 4.0) - 180.0;
        double phi = Radians(lat);
        double cosZenith = (Math.Sin(phi) * Math.Sin(declination)) + (Math.Cos(phi) * Math.Cos(declination) * Math.Cos(Radians(hourAngle)));
        return 90.0 - Degrees(Math.Acos(Math.Clamp(cosZenith, -1.0, 1.0)));
    }

    private static DateTime Event(DateTime midnight, double lat, double lon, bool rising)
    {
        // Start from the solar noon and refine: declination and the equation of time move enough
        // between noon and the event to shift it by a minute, and two passes settle it.
        double minutes = 720.0 - (4.0 * lon);
        for (int pass = 0; pass < 3; pass++)
        {
            (double declination, double equationOfTime) = Sun(midnight.AddMinutes(minutes));
            double noon = 720.0 - (4.0 * lon) - equationOfTime;
            double phi = Radians(lat);
            double cosHourAngle = (Math.Cos(Radians(90.0 - HorizonDeg)) / (Math.Cos(phi) * Math.Cos(declination))) - (Math.Tan(phi) * Math.Tan(declination));
            double hourAngle = cosHourAngle switch
            {
                > 1.0 => 0.0,
                < -1.0 => 180.0,
                _ => Degrees(Math.Acos(cosHourAngle)),
            };
            minutes = rising ? noon - (4.0 * hourAngle) : noon + (4.0 * hourAngle);
        }

        return midnight.AddMinutes(minutes);
    }

    /// <summary>The sun's declination (radians) and the equation of time (minutes) at a moment.</summary>
    private static (double Declination, double EquationOfTime) Sun(DateTime utc)
    {
        double julianDay = (utc.Ticks - new DateTime(2000, 1, 1, 12, 0, 0, DateTimeKind.Utc).Ticks) / (double)TimeSpan.TicksPerDay + J2000;
        double t = (julianDay - J2000) / DaysPerCentury;

        double meanLongitude = Mod(280.46646 + (t * (36000.76983 + (t * 0.0003032))), 360.0);
        double meanAnomaly = 357.52911 + (t * (35999.05029 - (0.0001537 * t)));
        double eccentricity = 0.016708634 - (t * (0.000042037 + (0.0000001267 * t)));
        double m = Radians(meanAnomaly);
        double centre = (Math.Sin(m) * (1.914602 - (t * (0.004817 + (0.000014 * t)))))
            + (Math.Sin(2 * m) * (0.019993 - (0.000101 * t)))
            + (Math.Sin(3 * m) * 0.000289);
        double trueLongitude = meanLongitude + centre;
        double omega = Radians(125.04 - (1934.136 * t));
        double apparentLongitude = trueLongitude - 0.00569 - (0.00478 * Math.Sin(omega));
        double meanObliquity = 23.0 + ((26.0 + ((21.448 - (t * (46.815 + (t * (0.00059 - (t * 0.001813)))))) / 60.0)) / 60.0);
        double obliquity = Radians(meanObliquity + (0.00256 * Math.Cos(omega)));
        double declination = Math.Asin(Math.Sin(obliquity) * Math.Sin(Radians(apparentLongitude)));

        double y = Math.Pow(Math.Tan(obliquity / 2.0), 2);
        double l0 = Radians(meanLongitude);
        double equationOfTime = 4.0 * Degrees(
            (y * Math.Sin(2 * l0))
            - (2 * eccentricity * Math.Sin(m))
            + (4 * eccentricity * y * Math.Sin(m) * Math.Cos(2 * l0))
            - (0.5 * y * y * Math.Sin(4 * l0))
            - (1.25 * eccentricity * eccentricity * Math.Sin(2 * m)));
        return (declination, equationOfTime);
    }

    private static void CheckPlace(double lat, double lon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lat, -90.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lat, 90.0);
        ArgumentOutOfRangeException.ThrowIfLessThan(lon, -180.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lon, 180.0);
    }

    private static double Mod(double value, double modulus) => ((value % modulus) + modulus) % modulus;

    private static double Radians(double degrees) => degrees * Math.PI / 180.0;

    private static double Degrees(double radians) => radians * 180.0 / Math.PI;
}
