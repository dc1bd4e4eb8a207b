using System.Globalization;

namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>An area in WGS84 degrees, in the order GeoJSON and the API's <c>bbox</c> use: minLon, minLat, maxLon, maxLat.</summary>
[GenerateSerializer, Immutable, Alias("twincity.geobox")]
public readonly record struct GeoBox(
    [property: Id(0)] double MinLon,
    [property: Id(1)] double MinLat,
    [property: Id(2)] double MaxLon,
    [property: Id(3)] double MaxLat)
{
    public bool Contains(GeoPoint p) => p.Lat >= MinLat && p.Lat <= MaxLat && p.Lon >= MinLon && p.Lon <= MaxLon;

    /// <summary>Why the box is not a valid area, or null when it is.</summary>
    public string? Problem()
    {
        if (double.IsNaN(MinLon) || double.IsNaN(MinLat) || double.IsNaN(MaxLon) || double.IsNaN(MaxLat))
        {
            return "the area's corners must be numbers";
        }

        if (MinLat < -90 || MaxLat > 90 || MinLon < -180 || MaxLon > 180)
        {
            return "latitudes must be within -90..90 and longitudes within -180..180";
        }

        if (MinLat > MaxLat || MinLon > MaxLon)
        {
            return "the area must be minLon,minLat,maxLon,maxLat with min ≤ max";
        }

        return null;
    }

    /// <summary>Parses "minLon,minLat,maxLon,maxLat".</summary>
    public static bool TryParse(string? text, out GeoBox box, out string? problem)
    {
        box = default;
        string[] parts = (text ?? string.Empty).Split(',');
        if (parts.Length != 4)
        {
            problem = $"'bbox' must be minLon,minLat,maxLon,maxLat, not '{text}'";
            return false;
        }

        var values = new double[4];
        for (int i = 0; i < 4; i++)
        {
            if (!double.TryParse(parts[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                problem = $"'bbox' has '{parts[i]}' where a number belongs";
                return false;
            }
        }

        box = new GeoBox(values[0], values[1], values[2], values[3]);
        problem = box.Problem();
        return problem is null;
    }
}
