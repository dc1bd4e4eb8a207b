using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>
/// Distances along and from a path of WGS84 points. A flat projection around the path's first point is
/// good to centimetres over a city, which is all that "within 40 m of the route" needs.
/// </summary>
public static class Polyline
{
    private const double MetresPerDegreeLat = 111_132.954;

    /// <summary>Metres from <paramref name="p"/> to the nearest point of the path.</summary>
    public static double DistanceFrom(GeoPoint[] path, GeoPoint p)
    {
        Nearest(path, p, out double distance);
        return distance;
    }

    /// <summary>How far along the path (metres from its start) the point of the path nearest to <paramref name="p"/> lies.</summary>
    public static double Locate(GeoPoint[] path, GeoPoint p) => Nearest(path, p, out _);

    public static double Length(GeoPoint[] path)
    {
        double total = 0;
        for (int i = 1; i < path.Length; i++)
        {
            total += Metres(path[0], path[i - 1], path[i]);
        }

        return total;
    }

    /// <summary>The part of the path between two distances along it (in either order), with its end points interpolated.</summary>
    public static GeoPoint[] Between(GeoPoint[] path, double fromM, double toM)
    {
        if (path.Length < 2)
        {
            return [.. path];
        }

        double a = Math.Max(0, Math.Min(fromM, toM));
        double b = Math.Min(Length(path), Math.Max(fromM, toM));
        var result = new List<GeoPoint> { At(path, a) };
        double along = 0;
        for (int i = 1; i < path.Length; i++)
        {
            along += Metres(path[0], path[i - 1], path[i]);
            if (along > a && along < b)
            {
                result.Add(path[i]);
            }
        }

        result.Add(At(path, b));
        return [.. result];
    }

    /// <summary>The point <paramref name="alongM"/> metres from the start, clamped to the path.</summary>
    public static GeoPoint At(GeoPoint[] path, double alongM)
    {
        double along = 0;
        for (int i = 1; i < path.Length; i++)
        {
            double segment = Metres(path[0], path[i - 1], path[i]);
            if (along + segment >= alongM && segment > 0)
            {
                double t = Math.Clamp((alongM - along) / segment, 0, 1);
                GeoPoint s = path[i - 1];
                GeoPoint e = path[i];
                return new GeoPoint(s.Lat + ((e.Lat - s.Lat) * t), s.Lon + ((e.Lon - s.Lon) * t));
            }

            along += segment;
        }

        return alongM <= 0 ? path[0] : path[^1];
    }

    /// <summary>The grid cells within <paramref name="widthMetres"/> of the path.</summary>
    public static List<long> CellsAlong(GeoPoint[] path, double widthMetres)
    {
        var cells = new HashSet<long>();
        if (path.Length == 0)
        {
            return [];
        }

        // Points every 100 m along the path, each with the cells around it; cells are ~850 m wide.
        double length = Length(path);
        double step = 100;
        for (double along = 0; ; along += step)
        {
            foreach (long cell in CellGrid.CellsAround(At(path, Math.Min(along, length)), widthMetres + step))
            {
                cells.Add(cell);
            }

            if (along >= length)
            {
                break;
            }
        }

        return [.. cells];
    }

    private static double Nearest(GeoPoint[] path, GeoPoint p, out double distance)
    {
        if (path.Length == 0)
        {
            distance = double.MaxValue;
            return 0;
        }

        if (path.Length == 1)
        {
            distance = path[0].DistanceTo(p);
            return 0;
        }

        GeoPoint origin = path[0];
        double best = double.MaxValue;
        double bestAlong = 0;
        double along = 0;
        for (int i = 1; i < path.Length; i++)
        {
            (double ax, double ay) = Project(origin, path[i - 1]);
            (double bx, double by) = Project(origin, path[i]);
            (double px, double py) = Project(origin, p);
            double sx = bx - ax;
            double sy = by - ay;
            double lengthSquared = (sx * sx) + (sy * sy);
            double t = lengthSquared > 0 ? Math.Clamp((((px - ax) * sx) + ((py - ay) * sy)) / lengthSquared, 0, 1) : 0;
            double dx = px - (ax + (t * sx));
            double dy = py - (ay + (t * sy));
            double d = Math.Sqrt((dx * dx) + (dy * dy));
            double segment = Math.Sqrt(lengthSquared);
            if (d < best)
            {
                best = d;
                bestAlong = along + (t * segment);
            }

            along += segment;
        }

        distance = best;
        return bestAlong;
    }

    private static double Metres(GeoPoint origin, GeoPoint a, GeoPoint b)
    {
        (double ax, double ay) = Project(origin, a);
        (double bx, double by) = Project(origin, b);
        return Math.Sqrt(((bx - ax) * (bx - ax)) + ((by - ay) * (by - ay)));
    }

    private static (double X, double Y) Project(GeoPoint origin, GeoPoint p) =>
        ((p.Lon - origin.Lon) * MetresPerDegreeLat * Math.Cos(origin.Lat * Math.PI / 180.0), (p.Lat - origin.Lat) * MetresPerDegreeLat);
}
