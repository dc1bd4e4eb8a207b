using System.Text.Json;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Silo.Simulation;

/// <summary>The parts of the seed city file the simulator plays on: the bus routes.</summary>
internal sealed class CityMap
{
    public CityMap(IEnumerable<BusRoute> routes)
    {
        Routes = routes.ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);
    }

    public static CityMap Empty { get; } = new([]);

    public IReadOnlyDictionary<string, BusRoute> Routes { get; }

    public static CityMap Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        using JsonDocument doc = JsonDocument.Parse(stream);
        var routes = new List<BusRoute>();
        if (doc.RootElement.TryGetProperty("routes", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement route in list.EnumerateArray())
            {
                string? id = route.TryGetProperty("id", out JsonElement i) ? i.ToString() : null;
                List<GeoPoint> points = ReadPath(route);
                if (string.IsNullOrEmpty(id) || points.Count == 0)
                {
                    continue;
                }

                var stops = new List<(string, GeoPoint)>();
                if (route.TryGetProperty("stops", out JsonElement s) && s.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement stop in s.EnumerateArray())
                    {
                        if (stop.TryGetProperty("lat", out JsonElement lat) && stop.TryGetProperty("lon", out JsonElement lon)
                            && lat.TryGetDouble(out double latValue) && lon.TryGetDouble(out double lonValue))
                        {
                            string name = stop.TryGetProperty("name", out JsonElement n) ? n.ToString() : string.Empty;
                            stops.Add((name, new GeoPoint(latValue, lonValue)));
                        }
                    }
                }

                string routeName = route.TryGetProperty("name", out JsonElement rn) ? rn.ToString() : id;
                routes.Add(new BusRoute(id, routeName, new RoutePath(points), stops));
            }
        }

        return new CityMap(routes);
    }

    private static List<GeoPoint> ReadPath(JsonElement route)
    {
        var points = new List<GeoPoint>();
        if (!route.TryGetProperty("path", out JsonElement path) || path.ValueKind != JsonValueKind.Array)
        {
            return points;
        }

        foreach (JsonElement pair in path.EnumerateArray())
        {
            if (pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() >= 2
                && pair[0].TryGetDouble(out double lat) && pair[1].TryGetDouble(out double lon))
            {
                points.Add(new GeoPoint(lat, lon));
            }
        }

        return points;
    }
}
