namespace TwinCity.Bench.Rig;

/// <summary>The part of the city a viewer's map shows, as the map asks the hub for it (<c>WatchArea(minLon, minLat, maxLon, maxLat)</c>).</summary>
public readonly record struct ViewBox(double MinLon, double MinLat, double MaxLon, double MaxLat)
{
    public bool Contains(double lat, double lon) => lat >= MinLat && lat <= MaxLat && lon >= MinLon && lon <= MaxLon;
}
