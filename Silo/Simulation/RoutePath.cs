using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Silo.Simulation;

/// <summary>
/// A polyline in WGS84 measured in metres along its length. Over a city a flat projection around the
/// first point is good to centimetres, and it keeps interpolated positions exactly on the segments
/// the map draws.
/// </summary>
internal sealed class RoutePath
{
    private const double MetresPerDegreeLat = 111_132.954;

    private readonly GeoPoint[] _points;
    private readonly double[] _cumulative;
    private readonly double _metresPerDegreeLon;

    public RoutePath(IReadOnlyList<GeoPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0)
        {
            throw new ArgumentException("a path needs at least one point", nameof(points));
        }

        _points = [.. points];
        _metresPerDegreeLon = MetresPerDegreeLat * Math.Cos(_points[0].Lat * Math.PI / 180.0);
        _cumulative = new double[_points.Length];
        for (int i = 1; i < _points.Length; i++)
        {
            _cumulative[i] = _cumulative[i - 1] + Distance(_points[i - 1], _points[i]);
        }
    }

    public IReadOnlyList<GeoPoint> Points => _points;

    public double LengthM => _cumulative[^1];

    /// <summary>The point <paramref name="alongM"/> metres from the start, clamped to the path.</summary>
    public GeoPoint At(double alongM)
    {
        int i = SegmentAt(alongM, out double t);
        if (t <= 0)
        {
            return _points[i];
        }

        GeoPoint a = _points[i];
        GeoPoint b = _points[i + 1];
        return new GeoPoint(a.Lat + ((b.Lat - a.Lat) * t), a.Lon + ((b.Lon - a.Lon) * t));
    }

    /// <summary>How far along the path the point of the path nearest to <paramref name="point"/> lies.</summary>
    public double Locate(GeoPoint point) => Nearest(point, out _);

    /// <summary>Distance in metres from <paramref name="point"/> to the nearest point of the path.</summary>
    public double DistanceFrom(GeoPoint point)
    {
        Nearest(point, out double distance);
        return distance;
    }

    private double Nearest(GeoPoint point, out double distance)
    {
        if (_points.Length == 1)
        {
            distance = Distance(_points[0], point);
            return 0;
        }

        double bestAlong = 0;
        distance = double.MaxValue;
        for (int i = 0; i < _points.Length - 1; i++)
        {
            (double sx, double sy) = Offset(_points[i], _points[i + 1]);
            (double px, double py) = Offset(_points[i], point);
            double lengthSquared = (sx * sx) + (sy * sy);
            double t = lengthSquared > 0 ? Math.Clamp(((px * sx) + (py * sy)) / lengthSquared, 0, 1) : 0;
            double dx = px - (t * sx);
            double dy = py - (t * sy);
            double d = Math.Sqrt((dx * dx) + (dy * dy));
            if (d < distance)
            {
                distance = d;
                bestAlong = _cumulative[i] + (t * (_cumulative[i + 1] - _cumulative[i]));
            }
        }

        return bestAlong;
    }

    private int SegmentAt(double alongM, out double t)
    {
        if (_points.Length == 1 || alongM <= 0)
        {
            t = 0;
            return 0;
        }

        if (alongM >= LengthM)
        {
            t = 1;
            return _points.Length - 2;
        }

        int index = Array.BinarySearch(_cumulative, alongM);
        int segment = index >= 0 ? Math.Min(index, _points.Length - 2) : (~index) - 1;
        double length = _cumulative[segment + 1] - _cumulative[segment];
        t = length > 0 ? (alongM - _cumulative[segment]) / length : 0;
        return segment;
    }

    private double Distance(GeoPoint a, GeoPoint b)
    {
        (double dx, double dy) = Offset(a, b);
        return Math.Sqrt((dx * dx) + (dy * dy));
    }

    private (double X, double Y) Offset(GeoPoint from, GeoPoint to) =>
        ((to.Lon - from.Lon) * _metresPerDegreeLon, (to.Lat - from.Lat) * MetresPerDegreeLat);
}
