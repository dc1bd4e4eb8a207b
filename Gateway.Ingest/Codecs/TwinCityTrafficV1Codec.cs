using System.Buffers.Binary;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>
/// twincity-traffic-v1, the platform's own 8-byte frame for traffic counters (specification in
/// docs/codecs.md). Big-endian, fixed layout, one frame per reporting interval on fPort 10.
/// </summary>
public sealed class TwinCityTrafficV1Codec : IPayloadCodec
{
    public const int Port = 10;
    public const byte Version = 0x01;
    public const int FrameLength = 8;

    /// <summary>"Not measured" marker for the mean speed word.</summary>
    public const ushort NoSpeed = 0xFFFF;

    /// <summary>"Not measured" marker for the occupancy and battery bytes.</summary>
    public const byte NoValue = 0xFF;

    private const int MaxOccupancyHalfPercent = 200;
    private const int MaxBatteryPct = 100;
    private const byte IncidentBit = 0x01;
    private const byte HazardBit = 0x02;
    private const byte DarkBit = 0x04;
    private const int SurfaceShift = 4;
    private const byte SurfaceMask = 0x07;

    // Indexed by RoadSurface; the texts are the twin's surface choices (API.md).
    private static readonly string[] SurfaceNames = ["", "dry", "wet", "ice", "snow", "flooded"];

    public string Name => "twincity-traffic-v1";

    public bool Supports(TwinKind kind) => kind == TwinKind.RoadSensor;

    public DecodeResult Decode(ReadOnlySpan<byte> payload, int fPort, in CodecContext context, List<Reading> output)
    {
        if (fPort != Port)
        {
            return DecodeResult.Fail($"twincity-traffic-v1: unknown fPort {fPort} (frames use fPort {Port})");
        }

        if (!TryDecode(payload, out var frame, out var error))
        {
            return DecodeResult.Fail(error);
        }

        output.Add(Reading.Of(TwinProperty.VehicleCount, frame.VehicleCount));
        if (frame.MeanSpeedKmh is { } speed)
        {
            output.Add(Reading.Of(TwinProperty.MeanSpeedKmh, speed));
        }

        if (frame.OccupancyPct is { } occupancy)
        {
            output.Add(Reading.Of(TwinProperty.OccupancyPct, occupancy));
        }

        if (frame.Surface != RoadSurface.Unknown)
        {
            output.Add(Reading.Of(TwinProperty.Surface, SurfaceNames[(int)frame.Surface]));
        }

        output.Add(Reading.Of(TwinProperty.Incident, frame.Incident));
        output.Add(Reading.Of(TwinProperty.Hazard, frame.Hazard));
        output.Add(Reading.Of(TwinProperty.Dark, frame.Dark));
        if (frame.BatteryPct is { } battery)
        {
            output.Add(Reading.Of(TwinProperty.BatteryPct, battery));
        }

        return DecodeResult.Success;
    }

    /// <summary>Reads a frame without touching the twin vocabulary; <paramref name="error"/> says why it failed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, out TrafficFrame frame, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        frame = default;
        if (payload.Length != FrameLength)
        {
            error = $"twincity-traffic-v1: frame is {payload.Length} bytes, version 1 frames are exactly {FrameLength}";
            return false;
        }

        if (payload[0] != Version)
        {
            error = $"twincity-traffic-v1: version byte 0x{payload[0]:X2} is not supported (only 0x{Version:X2})";
            return false;
        }

        var occupancy = payload[5];
        if (occupancy > MaxOccupancyHalfPercent && occupancy != NoValue)
        {
            error = $"twincity-traffic-v1: occupancy byte {occupancy} is outside 0-{MaxOccupancyHalfPercent} (0.5 % steps) and is not the 0xFF marker";
            return false;
        }

        var flags = payload[6];
        var surface = (flags >> SurfaceShift) & SurfaceMask;
        if (surface > (int)RoadSurface.Flooded)
        {
            error = $"twincity-traffic-v1: surface code {surface} in flags byte 0x{flags:X2} is not defined (0-5)";
            return false;
        }

        var battery = payload[7];
        if (battery > MaxBatteryPct && battery != NoValue)
        {
            error = $"twincity-traffic-v1: battery byte {battery} is outside 0-{MaxBatteryPct} % and is not the 0xFF marker";
            return false;
        }

        var speed = BinaryPrimitives.ReadUInt16BigEndian(payload[3..]);
        frame = new TrafficFrame(
            VehicleCount: BinaryPrimitives.ReadUInt16BigEndian(payload[1..]),
            MeanSpeedKmh: speed == NoSpeed ? null : speed / 10.0,
            OccupancyPct: occupancy == NoValue ? null : occupancy / 2.0,
            Surface: (RoadSurface)surface,
            Incident: (flags & IncidentBit) != 0,
            Hazard: (flags & HazardBit) != 0,
            Dark: (flags & DarkBit) != 0,
            BatteryPct: battery == NoValue ? null : battery);
        error = null;
        return true;
    }

    /// <summary>
    /// The frame's 8 bytes (send them on <see cref="Port"/>). Speed rounds to 0.1 km/h and occupancy to
    /// 0.5 %; values the layout cannot carry are refused rather than clipped.
    /// </summary>
    public static byte[] Encode(TrafficFrame frame)
    {
        ushort speed = NoSpeed;
        if (frame.MeanSpeedKmh is { } kmh)
        {
            var tenths = Math.Round(kmh * 10.0);
            if (double.IsNaN(kmh) || tenths < 0 || tenths >= NoSpeed)
            {
                throw new ArgumentOutOfRangeException(nameof(frame), kmh, "Mean speed must be between 0 and 6553.4 km/h.");
            }

            speed = (ushort)tenths;
        }

        var occupancy = NoValue;
        if (frame.OccupancyPct is { } pct)
        {
            var halves = Math.Round(pct * 2.0);
            if (double.IsNaN(pct) || halves < 0 || halves > MaxOccupancyHalfPercent)
            {
                throw new ArgumentOutOfRangeException(nameof(frame), pct, "Occupancy must be between 0 and 100 %.");
            }

            occupancy = (byte)halves;
        }

        if (frame.Surface > RoadSurface.Flooded)
        {
            throw new ArgumentOutOfRangeException(nameof(frame), frame.Surface, "Unknown road surface.");
        }

        if (frame.BatteryPct > MaxBatteryPct)
        {
            throw new ArgumentOutOfRangeException(nameof(frame), frame.BatteryPct, "Battery must be between 0 and 100 %.");
        }

        var flags = (byte)(((int)frame.Surface << SurfaceShift)
            | (frame.Incident ? IncidentBit : 0)
            | (frame.Hazard ? HazardBit : 0)
            | (frame.Dark ? DarkBit : 0));

        var bytes = new byte[FrameLength];
        bytes[0] = Version;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(1), frame.VehicleCount);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(3), speed);
        bytes[5] = occupancy;
        bytes[6] = flags;
        bytes[7] = frame.BatteryPct ?? NoValue;
        return bytes;
    }
}
