using System.Buffers.Binary;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>
/// Dragino LGT-92 LoRaWAN GPS tracker, firmware 1.5 and later (4-byte coordinates), as carried on
/// buses. Layout and mapping in docs/codecs.md.
/// </summary>
public sealed class DraginoLgt92Codec : IPayloadCodec
{
    /// <summary>The tracker sends its position frames on this port.</summary>
    public const int UplinkPort = 2;

    /// <summary>Battery voltage read as 0 %; the tracker stops fixing below about this.</summary>
    public const double EmptyBatteryV = 3.0;

    /// <summary>Battery voltage read as 100 % (a fully charged Li-ion cell).</summary>
    public const double FullBatteryV = 4.2;

    // Latitude, longitude and the alarm/battery word; everything after them is optional.
    private const int MinLength = 10;

    // Dragino fills both coordinates with this when the battery is too low to run the GPS.
    private const int LowPowerCoordinate = 0x0FFFFFFF;

    private const int BatteryMask = 0x3FFF;
    private const int AlarmBit = 0x4000;
    private const double Micro = 1_000_000.0;

    public string Name => "dragino-lgt92";

    public bool Supports(TwinKind kind) => kind == TwinKind.Bus;

    public DecodeResult Decode(ReadOnlySpan<byte> payload, int fPort, in CodecContext context, List<Reading> output)
    {
        if (fPort != UplinkPort)
        {
            return DecodeResult.Fail($"dragino-lgt92: unknown fPort {fPort} (position frames use fPort {UplinkPort})");
        }

        if (payload.Length < MinLength)
        {
            return DecodeResult.Fail($"dragino-lgt92: frame of {payload.Length} bytes is shorter than the {MinLength} bytes of position and battery");
        }

        var latRaw = BinaryPrimitives.ReadInt32BigEndian(payload);
        var lonRaw = BinaryPrimitives.ReadInt32BigEndian(payload[4..]);
        if (HasFix(latRaw, lonRaw))
        {
            output.Add(Reading.Of(TwinProperty.Lat, latRaw / Micro));
            output.Add(Reading.Of(TwinProperty.Lon, lonRaw / Micro));
        }

        var millivolts = BinaryPrimitives.ReadUInt16BigEndian(payload[8..]) & BatteryMask;
        output.Add(Reading.Of(TwinProperty.BatteryPct, BatteryPercent(millivolts / 1000.0)));
        return DecodeResult.Success;
    }

    /// <summary>
    /// Linear between <see cref="EmptyBatteryV"/> and <see cref="FullBatteryV"/>, clamped, one decimal.
    /// A Li-ion discharge curve is not linear, but the twin only needs a trend and a low-battery signal.
    /// </summary>
    public static double BatteryPercent(double volts)
    {
        var pct = (volts - EmptyBatteryV) / (FullBatteryV - EmptyBatteryV) * 100.0;
        return Math.Round(Math.Clamp(pct, 0.0, 100.0), 1);
    }

    /// <summary>A position frame as the tracker sends it with the motion sensor off (11 bytes, fPort 2).</summary>
    public static (byte[] Payload, int FPort) EncodeLocation(double lat, double lon, double batteryV, bool alarm = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lat, -90.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lat, 90.0);
        ArgumentOutOfRangeException.ThrowIfLessThan(lon, -180.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lon, 180.0);
        return (Frame((int)Math.Round(lat * Micro), (int)Math.Round(lon * Micro), batteryV, alarm), UplinkPort);
    }

    /// <summary>A frame from a tracker whose GPS timed out without a fix (both coordinates zero).</summary>
    public static (byte[] Payload, int FPort) EncodeNoFix(double batteryV) => (Frame(0, 0, batteryV, alarm: false), UplinkPort);

    private static byte[] Frame(int latRaw, int lonRaw, double batteryV, bool alarm)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batteryV);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batteryV, BatteryMask / 1000.0);

        var frame = new byte[11];
        BinaryPrimitives.WriteInt32BigEndian(frame, latRaw);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), lonRaw);
        var word = (int)Math.Round(batteryV * 1000.0) | (alarm ? AlarmBit : 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(8), (ushort)word);

        // Motion mode "move", position LED on, firmware 1.6.0: what a tracker out of the box reports.
        frame[10] = 0x60;
        return frame;
    }

    private static bool HasFix(int latRaw, int lonRaw)
    {
        if (latRaw == 0 && lonRaw == 0)
        {
            return false;
        }

        if (latRaw == LowPowerCoordinate || lonRaw == LowPowerCoordinate)
        {
            return false;
        }

        // Anything off the globe is a corrupt frame; dropping the position keeps the battery reading.
        return Math.Abs((long)latRaw) <= 90_000_000 && Math.Abs((long)lonRaw) <= 180_000_000;
    }
}
