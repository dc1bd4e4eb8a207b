using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Cells;

/// <summary>
/// The city's spatial grid: fixed cells of 0.01° latitude × 0.01° longitude (about 1.1 km × 0.85 km
/// at Baku's latitude), numbered by their south-west corner. A cell is one grain; its key packs the
/// row and column into one 64-bit integer. See docs/decisions/spatial-cells.md.
/// </summary>
public static class CellGrid
{
    public const double SizeDegrees = 0.01;

    /// <summary>The most cells one area query or watch may span (about 8,000 km² at city latitudes).</summary>
    public const int MaxCellsPerArea = 10_000;

    public static long CellOf(GeoPoint p) => Key(Row(p.Lat), Column(p.Lon));

    public static long Key(int row, int column) => ((long)row << 32) | (uint)column;

    public static (int Row, int Column) Split(long key) => ((int)(key >> 32), (int)(key & 0xFFFF_FFFF));

    public static int Row(double lat) => (int)Math.Floor(lat / SizeDegrees);

    public static int Column(double lon) => (int)Math.Floor(lon / SizeDegrees);

    /// <summary>The cells an area touches, or null when it spans more than <see cref="MaxCellsPerArea"/>.</summary>
    public static List<long>? CellsOf(GeoBox box)
    {
        int row0 = Row(box.MinLat);
        int row1 = Row(box.MaxLat);
        int col0 = Column(box.MinLon);
        int col1 = Column(box.MaxLon);
        long count = (long)(row1 - row0 + 1) * (col1 - col0 + 1);
        if (count > MaxCellsPerArea)
        {
            return null;
        }

        var cells = new List<long>((int)count);
        for (int r = row0; r <= row1; r++)
        {
            for (int c = col0; c <= col1; c++)
            {
                cells.Add(Key(r, c));
            }
        }

        return cells;
    }

    /// <summary>The cells within <paramref name="radiusMetres"/> of a point (a square of cells that covers the circle).</summary>
    public static List<long> CellsAround(GeoPoint centre, double radiusMetres)
    {
        double dLat = radiusMetres / 111_320.0;
        double dLon = radiusMetres / (111_320.0 * Math.Max(0.01, Math.Cos(centre.Lat * Math.PI / 180)));
        return CellsOf(new GeoBox(centre.Lon - dLon, centre.Lat - dLat, centre.Lon + dLon, centre.Lat + dLat)) ?? [];
    }
}
