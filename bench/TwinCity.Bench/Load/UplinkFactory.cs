using System.Buffers;
using System.Globalization;
using System.Text.Json;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Bench.Load;

/// <summary>
/// ChirpStack v4 "up" events for the bench city, with payloads written by the real codecs' encoders,
/// so that ingest parses, decodes and applies exactly what a network server would hand it.
/// Values follow from (device, frame counter) alone: every process builds the same frame.
/// </summary>
public static class UplinkFactory
{
    public const string ApplicationId = "bench";
    public const string TenantId = "52f14cd4-c6f1-4fbd-8f87-4025e1d49242";

    /// <summary>Every up event of the bench application (what the bare subscriber of the baseline takes).</summary>
    public const string UpFilter = "application/+/device/+/event/up";

    /// <summary>Where the platform publishes downlinks for bench devices.</summary>
    public const string DownlinkFilter = "application/" + ApplicationId + "/device/+/command/down";

    public static string Topic(BenchDevice device) => $"application/{ApplicationId}/device/{device.DevEuiText}/event/up";

    /// <summary>The application payload and port of frame <paramref name="fCnt"/> of <paramref name="device"/>.</summary>
    public static (byte[] Payload, int FPort) Payload(BenchDevice device, uint fCnt, DateTime time)
    {
        ArgumentNullException.ThrowIfNull(device);
        ulong h = CityDevices.Mix(((ulong)device.Index << 24) ^ fCnt);
        double u = (h & 0xFFFF) / 65535.0;
        double v = ((h >> 16) & 0xFFFF) / 65535.0;
        switch (device.Kind)
        {
            case TwinKind.Streetlight:
                bool on = ((h >> 32) & 3) != 0;
                return MilesightWs558Codec.Encode(
                    voltageV: Math.Round(225 + (u * 10), 1),
                    powerW: on ? Math.Round(40 + (v * 80)) : 0,
                    powerFactor: on ? Math.Round(0.9 + (u * 0.09), 2) : 0,
                    energyWh: (fCnt * 25.0) + (device.Index % 1000),
                    on);
            case TwinKind.WaterMeter:
                return AxiomaQalcosonicW1Codec.Encode(time, Math.Round((device.Index % 500) + (fCnt * 0.013), 3), leak: false, burst: false, backflow: false);
            case TwinKind.RoadSensor:
                ushort count = (ushort)(u * 120);
                var frame = new TrafficFrame(
                    count,
                    count > 0 ? Math.Round(25 + (v * 35), 1) : null,
                    Math.Round(u * 40, 1),
                    RoadSurface.Dry,
                    BatteryPct: (byte)(50 + (h >> 40) % 50));
                return (TwinCityTrafficV1Codec.Encode(frame), TwinCityTrafficV1Codec.Port);
            default:
                return DraginoLgt92Codec.EncodeLocation(
                    Math.Round(device.Position.Lat + ((u - 0.5) * 0.004), 6),
                    Math.Round(device.Position.Lon + ((v - 0.5) * 0.004), 6),
                    3.7 + (u * 0.4));
        }
    }

    /// <summary>The whole "up" event as ChirpStack's MQTT integration publishes it (JSON, camel-case protobuf names).</summary>
    public static byte[] Up(BenchDevice device, uint fCnt, DateTime time)
    {
        var buffer = new ArrayBufferWriter<byte>(640);
        using (var w = new Utf8JsonWriter(buffer))
        {
            WriteUp(w, device, fCnt, time);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the "up" event of <see cref="Up"/> with a writer the caller keeps (see <see cref="UplinkWriter"/>).</summary>
    public static void WriteUp(Utf8JsonWriter w, BenchDevice device, uint fCnt, DateTime time)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(device);
        (byte[] payload, int fPort) = Payload(device, fCnt, time);
        ulong h = CityDevices.Mix(((ulong)device.Index << 32) ^ fCnt ^ 0x5DEECE66D);
        w.WriteStartObject();
        Span<byte> id = stackalloc byte[16];
        BitConverter.TryWriteBytes(id, h);
        BitConverter.TryWriteBytes(id[8..], (ulong)device.Index << 32 | fCnt);
        w.WriteString("deduplicationId", new Guid(id));
        w.WriteString("time", time);
        w.WriteStartObject("deviceInfo");
        w.WriteString("tenantId", TenantId);
        w.WriteString("tenantName", "Baku");
        w.WriteString("applicationId", ApplicationId);
        w.WriteString("applicationName", ApplicationId);
        w.WriteString("deviceProfileName", device.Codec);
        w.WriteString("deviceName", device.TwinId);
        w.WriteString("devEui", device.DevEuiText);
        w.WriteString("deviceClassEnabled", "CLASS_A");
        w.WriteEndObject();
        w.WriteString("devAddr", ((uint)h).ToString("x8", CultureInfo.InvariantCulture));
        w.WriteBoolean("adr", true);
        w.WriteNumber("dr", 5);
        w.WriteNumber("fCnt", fCnt);
        w.WriteNumber("fPort", fPort);
        w.WriteBoolean("confirmed", false);
        w.WriteBase64String("data", payload);
        w.WriteStartArray("rxInfo");
        w.WriteStartObject();
        w.WriteString("gatewayId", "0016c001f153a1" + ((h >> 8) % 64).ToString("x2", CultureInfo.InvariantCulture));
        w.WriteNumber("uplinkId", (int)(h >> 40) & 0x7FFFFF);
        w.WriteString("gwTime", time);
        w.WriteString("nsTime", time);
        w.WriteNumber("rssi", -70 - (int)((h >> 48) % 50));
        w.WriteNumber("snr", Math.Round(-5 + ((h >> 56) % 150 / 10.0), 1));
        w.WriteNumber("channel", (int)((h >> 12) % 8));
        w.WriteString("crcStatus", "CRC_OK");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartObject("txInfo");
        w.WriteNumber("frequency", 868_100_000 + (200_000 * (int)((h >> 12) % 8)));
        w.WriteStartObject("modulation");
        w.WriteStartObject("lora");
        w.WriteNumber("bandwidth", 125000);
        w.WriteNumber("spreadingFactor", 7);
        w.WriteString("codeRate", "CR_4_5");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();

        w.Flush();
    }
}
