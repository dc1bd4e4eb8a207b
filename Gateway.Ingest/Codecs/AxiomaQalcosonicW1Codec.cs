using System.Buffers.Binary;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>
/// Axioma Qalcosonic W1 ultrasonic water meter: the current-values, extended (15 hourly deltas) and
/// enhanced 24-hour frames on fPort 100, and alarm frames on fPort 103. Layouts in docs/codecs.md.
/// </summary>
public sealed class AxiomaQalcosonicW1Codec : IPayloadCodec
{
    /// <summary>Meter readings: current-values, extended and enhanced frames.</summary>
    public const int DataPort = 100;

    /// <summary>The meter's configuration report; it carries nothing for the twin.</summary>
    public const int ConfigurationPort = 101;

    /// <summary>Alarm frames sent as soon as an alarm rises.</summary>
    public const int AlarmPort = 103;

    private const int CurrentValuesLength = 9;
    private const int ExtendedMinLength = 17;
    private const int ExtendedMaxLength = 48;
    private const int ExtendedDeltas = 15;
    private const int EnhancedLength = 51;
    private const int EnhancedVersion = 0x01;
    private const int EnhancedDeltas = 23;
    private const int EnhancedDeltaBits = 14;
    private const int EnhancedHistoryOffset = 10;
    private const int AlarmLength = 5;

    // The top three bits of the status byte are one code, not three flags.
    private const byte AlarmCodeMask = 0xE0;
    private const byte LeakCode = 0x20;
    private const byte BackflowCode = 0x60;
    private const byte BurstCode = 0xA0;

    // Alarm frames (fPort 103) use one bit per alarm instead.
    private const byte AlarmLeakBit = 0x01;
    private const byte AlarmBurstBit = 0x02;
    private const byte AlarmBackflowBit = 0x20;

    public string Name => "axioma-qalcosonic-w1";

    public bool Supports(TwinKind kind) => kind == TwinKind.WaterMeter;

    public DecodeResult Decode(ReadOnlySpan<byte> payload, int fPort, in CodecContext context, List<Reading> output) => fPort switch
    {
        DataPort => DecodeData(payload, output),
        AlarmPort => DecodeAlarm(payload, output),
        ConfigurationPort => DecodeResult.Success,
        _ => DecodeResult.Fail($"axioma-qalcosonic-w1: unknown fPort {fPort} (data {DataPort}, configuration {ConfigurationPort}, alarms {AlarmPort})"),
    };

    /// <summary>
    /// An extended frame (47 bytes, fPort 100) as the meter sends it every few hours. The simulator
    /// keeps no history, so the log volume equals the current volume and the 15 hourly deltas are zero.
    /// The status byte holds one alarm code: burst wins over backflow, backflow over leak.
    /// </summary>
    public static (byte[] Payload, int FPort) Encode(DateTime time, double volumeM3, bool leak, bool burst, bool backflow)
    {
        var now = UnixSeconds(time);
        var litres = Litres(volumeM3);

        // The log starts on the hour, 15 hours back, so that its last delta ends at the current hour.
        var logTime = now - (now % 3600) - (ExtendedDeltas * 3600u);
        var frame = new byte[ExtendedMinLength + (2 * ExtendedDeltas)];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, now);
        frame[4] = StatusCode(leak, burst, backflow);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(5), litres);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(9), logTime);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(13), litres);
        return (frame, DataPort);
    }

    /// <summary>An alarm frame (5 bytes, fPort 103); unlike the status byte it can carry several alarms.</summary>
    public static (byte[] Payload, int FPort) EncodeAlarm(DateTime time, bool leak, bool burst, bool backflow)
    {
        var frame = new byte[AlarmLength];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, UnixSeconds(time));
        frame[4] = (byte)((leak ? AlarmLeakBit : 0) | (burst ? AlarmBurstBit : 0) | (backflow ? AlarmBackflowBit : 0));
        return (frame, AlarmPort);
    }

    private static DecodeResult DecodeData(ReadOnlySpan<byte> payload, List<Reading> output)
    {
        var length = payload.Length;
        if (length is CurrentValuesLength or (>= ExtendedMinLength and <= ExtendedMaxLength))
        {
            // Current-values and extended frames (with or without the temperature word some firmware
            // adds after the volume) share the first nine bytes; the history after them is not needed
            // for the twin, which keeps only the latest volume.
            var litres = BinaryPrimitives.ReadUInt32LittleEndian(payload[5..]);
            AddStatus(payload[4], output);
            output.Add(Reading.Of(TwinProperty.VolumeM3, litres / 1000.0));
            return DecodeResult.Success;
        }

        if (length is EnhancedLength or EnhancedLength + 1)
        {
            return DecodeEnhanced(payload, output);
        }

        return DecodeResult.Fail(
            $"axioma-qalcosonic-w1: a {length}-byte frame on fPort {DataPort} matches no layout " +
            $"({CurrentValuesLength}, {ExtendedMinLength}-{ExtendedMaxLength} or {EnhancedLength}-{EnhancedLength + 1} bytes)");
    }

    private static DecodeResult DecodeEnhanced(ReadOnlySpan<byte> payload, List<Reading> output)
    {
        if (payload[0] != EnhancedVersion)
        {
            return DecodeResult.Fail($"axioma-qalcosonic-w1: enhanced frame version 0x{payload[0]:X2} is not supported (only 0x{EnhancedVersion:X2})");
        }

        // The enhanced frame has no current volume: it is the 01:00 log volume plus the 23 hourly
        // deltas, packed as 14-bit little-endian fields.
        var history = payload[EnhancedHistoryOffset..];
        ulong litres = BinaryPrimitives.ReadUInt32LittleEndian(payload[6..]);
        for (var i = 0; i < EnhancedDeltas; i++)
        {
            litres += ReadBits(history, i * EnhancedDeltaBits, EnhancedDeltaBits);
        }

        // Axioma does not document what a non-zero multiplier scales; a wrong total would be worse
        // than a dead-lettered frame.
        var multiplier = ReadBits(history, EnhancedDeltas * EnhancedDeltaBits, 6);
        if (multiplier != 0)
        {
            return DecodeResult.Fail($"axioma-qalcosonic-w1: enhanced frame has history multiplier {multiplier}, whose scaling is not documented");
        }

        AddStatus(payload[5], output);
        output.Add(Reading.Of(TwinProperty.VolumeM3, litres / 1000.0));
        return DecodeResult.Success;
    }

    private static DecodeResult DecodeAlarm(ReadOnlySpan<byte> payload, List<Reading> output)
    {
        if (payload.Length < AlarmLength)
        {
            return DecodeResult.Fail($"axioma-qalcosonic-w1: alarm frame of {payload.Length} bytes is shorter than {AlarmLength} bytes");
        }

        // An alarm frame lists every alarm active now, so an absent bit clears the flag on the twin.
        var alarms = payload[4];
        output.Add(Reading.Of(TwinProperty.Leak, (alarms & AlarmLeakBit) != 0));
        output.Add(Reading.Of(TwinProperty.Burst, (alarms & AlarmBurstBit) != 0));
        output.Add(Reading.Of(TwinProperty.Backflow, (alarms & AlarmBackflowBit) != 0));
        return DecodeResult.Success;
    }

    private static void AddStatus(byte status, List<Reading> output)
    {
        var code = status & AlarmCodeMask;
        output.Add(Reading.Of(TwinProperty.Leak, code == LeakCode));
        output.Add(Reading.Of(TwinProperty.Burst, code == BurstCode));
        output.Add(Reading.Of(TwinProperty.Backflow, code == BackflowCode));
    }

    private static byte StatusCode(bool leak, bool burst, bool backflow) =>
        burst ? BurstCode : backflow ? BackflowCode : leak ? LeakCode : (byte)0;

    private static uint ReadBits(ReadOnlySpan<byte> bytes, int firstBit, int count)
    {
        uint value = 0;
        for (var i = 0; i < count; i++)
        {
            var bit = firstBit + i;
            var index = bit >> 3;
            if (index < bytes.Length && (bytes[index] & (1 << (bit & 7))) != 0)
            {
                value |= 1u << i;
            }
        }

        return value;
    }

    private static uint UnixSeconds(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc);
        var seconds = new DateTimeOffset(utc).ToUnixTimeSeconds();
        ArgumentOutOfRangeException.ThrowIfNegative(seconds, nameof(time));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seconds, uint.MaxValue, nameof(time));
        return (uint)seconds;
    }

    private static uint Litres(double volumeM3)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(volumeM3);
        var litres = Math.Round(volumeM3 * 1000.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(litres, uint.MaxValue, nameof(volumeM3));
        return (uint)litres;
    }
}
