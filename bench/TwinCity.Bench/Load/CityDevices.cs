using System.Globalization;
using System.Text;
using System.Text.Json;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Bench.Load;

/// <summary>
/// The bench city: N devices derived from their index alone, so that the bench, the publisher
/// process and the silo agree on every DevEUI, twin and codec without passing a file around.
/// Positions are spread over Baku (about 12 km × 20 km, some 270 map cells).
/// </summary>
public static class CityDevices
{
    public const double MinLat = 40.34;
    public const double MaxLat = 40.46;
    public const double MinLon = 49.74;
    public const double MaxLon = 49.98;

    /// <summary>Distinct from the seed city's 70B3D57ED001xxxx so both can share a silo.</summary>
    public const ulong DevEuiBase = 0x70B3D57EB0000000;

    public static BenchDevice Get(int index, DeviceMix mix)
    {
        TwinKind kind = mix == DeviceMix.Streetlights ? TwinKind.Streetlight : KindOf(index);
        (string prefix, string codec, int interval) = kind switch
        {
            TwinKind.Streetlight => ("BL", "milesight-ws558", 600),
            TwinKind.WaterMeter => ("BW", "axioma-qalcosonic-w1", 3600),
            TwinKind.RoadSensor => ("BR", "twincity-traffic-v1", 300),
            _ => ("BB", "dragino-lgt92", 30),
        };
        string twinId = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{index:D7}");
        return new BenchDevice(index, DevEuiBase + (ulong)index, kind, twinId, PositionOf(index), codec, interval);
    }

    public static BenchDevice[] Create(int count, DeviceMix mix)
    {
        var devices = new BenchDevice[count];
        for (int i = 0; i < count; i++)
        {
            devices[i] = Get(i, mix);
        }

        return devices;
    }

    /// <summary>The import body for <c>POST /api/v1/devices/import</c>: one JSON object per line.</summary>
    public static string ToNdjson(ReadOnlySpan<BenchDevice> devices)
    {
        var text = new StringBuilder(devices.Length * 200);
        using var buffer = new MemoryStream(256);
        foreach (BenchDevice d in devices)
        {
            buffer.SetLength(0);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("devEui", d.DevEui.ToString("X16", CultureInfo.InvariantCulture));
                w.WriteString("kind", d.Kind.ToUrlName());
                w.WriteString("twinId", d.TwinId);
                w.WriteString("name", $"bench {d.Kind.ToUrlName()} {d.Index}");
                w.WriteNumber("lat", d.Position.Lat);
                w.WriteNumber("lon", d.Position.Lon);
                w.WriteString("codec", d.Codec);
                w.WriteNumber("reportingIntervalSeconds", d.ReportingIntervalSeconds);
                w.WriteEndObject();
            }

            text.Append(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)).Append('\n');
        }

        return text.ToString();
    }

    private static TwinKind KindOf(int index) => (index % 50) switch
    {
        < 30 => TwinKind.Streetlight,
        < 45 => TwinKind.WaterMeter,
        < 49 => TwinKind.RoadSensor,
        _ => TwinKind.Bus,
    };

    private static GeoPoint PositionOf(int index)
    {
        // A fixed hash of the index, not Random: the same index lands on the same spot in every process.
        ulong h = Mix((ulong)index + 0x9E3779B97F4A7C15);
        double u = (h & 0xFFFFFFFF) / (double)uint.MaxValue;
        double v = (h >> 32) / (double)uint.MaxValue;
        return new GeoPoint(Math.Round(MinLat + (u * (MaxLat - MinLat)), 6), Math.Round(MinLon + (v * (MaxLon - MinLon)), 6));
    }

    internal static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9;
        x ^= x >> 27;
        x *= 0x94D049BB133111EB;
        x ^= x >> 31;
        return x;
    }
}
