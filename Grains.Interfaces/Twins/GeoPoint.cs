namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>A WGS84 position in decimal degrees.</summary>
[GenerateSerializer, Immutable, Alias("twincity.geo")]
public readonly record struct GeoPoint([property: Id(0)] double Lat, [property: Id(1)] double Lon)
{
    public bool IsValid => Lat is >= -90 and <= 90 && Lon is >= -180 and <= 180 && !(Lat == 0 && Lon == 0);

    /// <summary>Great-circle distance in metres (haversine; good to well under a metre at city scale).</summary>
    public double DistanceTo(GeoPoint other)
    {
        const double EarthRadiusM = 6_371_008.8;
        double dLat = DegToRad(other.Lat - Lat);
        double dLon = DegToRad(other.Lon - Lon);
        double a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
            + Math.Cos(DegToRad(Lat)) * Math.Cos(DegToRad(other.Lat)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusM * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    private static double DegToRad(double degrees) => degrees * Math.PI / 180;
}
