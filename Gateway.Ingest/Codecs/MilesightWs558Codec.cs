using System.Buffers.Binary;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>
/// Milesight WS558 smart light controller (eight relay outputs with metering). Its frames are a run
/// of channel-id / channel-type / value items. Layout, mapping and the switch downlink in docs/codecs.md.
/// </summary>
public sealed class MilesightWs558Codec : IPayloadCodec, IDownlinkEncoder
{
    /// <summary>Milesight devices send and receive everything on this port.</summary>
    public const int Port = 85;

    /// <summary>The command this codec encodes: sets <c>on</c> for every output of the controller.</summary>
    public const string SwitchCommand = "switch";

    private const byte VoltageChannel = 0x03;
    private const byte VoltageType = 0x74;
    private const byte PowerChannel = 0x04;
    private const byte PowerType = 0x80;
    private const byte PowerFactorChannel = 0x05;
    private const byte PowerFactorType = 0x81;
    private const byte EnergyChannel = 0x06;
    private const byte EnergyType = 0x83;
    private const byte CurrentChannel = 0x07;
    private const byte CurrentType = 0xC9;
    private const byte SwitchChannel = 0x08;
    private const byte SwitchType = 0x31;

    // Device attributes and downlink acknowledgements share these channel ids.
    private const byte AttributeChannel = 0xFF;
    private const byte ResponseChannel = 0xFE;

    private const byte AllOutputs = 0xFF;

    public string Name => "milesight-ws558";

    public bool Supports(TwinKind kind) => kind == TwinKind.Streetlight;

    public DecodeResult Decode(ReadOnlySpan<byte> payload, int fPort, in CodecContext context, List<Reading> output)
    {
        if (fPort != Port)
        {
            return DecodeResult.Fail($"milesight-ws558: unknown fPort {fPort} (the controller uses fPort {Port})");
        }

        var start = output.Count;
        var i = 0;
        while (i < payload.Length)
        {
            if (payload.Length - i < 2)
            {
                return Fail(output, start, $"milesight-ws558: channel header at byte {i} needs 2 bytes, {payload.Length - i} left");
            }

            var channel = payload[i];
            var type = payload[i + 1];
            var size = ValueSize(channel, type);
            if (size < 0)
            {
                return Fail(output, start, $"milesight-ws558: unknown channel 0x{channel:X2} type 0x{type:X2} at byte {i}");
            }

            var value = payload[(i + 2)..];
            if (value.Length < size)
            {
                return Fail(output, start, $"milesight-ws558: channel 0x{channel:X2} type 0x{type:X2} at byte {i} needs {size} value bytes, {value.Length} left");
            }

            value = value[..size];
            i += 2 + size;
            switch ((channel, type))
            {
                case (VoltageChannel, VoltageType):
                    output.Add(Reading.Of(TwinProperty.VoltageV, BinaryPrimitives.ReadUInt16LittleEndian(value) / 10.0));
                    break;
                case (PowerChannel, PowerType):
                    output.Add(Reading.Of(TwinProperty.PowerW, BinaryPrimitives.ReadUInt32LittleEndian(value)));
                    break;
                case (PowerFactorChannel, PowerFactorType):
                    output.Add(Reading.Of(TwinProperty.PowerFactor, value[0] / 100.0));
                    break;
                case (EnergyChannel, EnergyType):
                    output.Add(Reading.Of(TwinProperty.EnergyWh, BinaryPrimitives.ReadUInt32LittleEndian(value)));
                    break;
                case (SwitchChannel, SwitchType):
                    // First byte: which outputs changed; second: their states. One lamp head is often wired to
                    // several outputs, so the light counts as on while any of them is closed.
                    output.Add(Reading.Of(TwinProperty.On, value[1] != 0));
                    break;
                default:
                    // Current, versions, serial number, class, reset and downlink acknowledgements: skipped.
                    break;
            }
        }

        return DecodeResult.Success;
    }

    /// <summary>
    /// "switch" with an <c>on</c> value: Milesight's control frame <c>08 mask states</c> on fPort 85,
    /// addressed to all eight outputs so that the result matches how uplinks are read.
    /// </summary>
    public bool TryEncode(string commandName, IReadOnlyList<Reading> sets, out byte[] payload, out int fPort)
    {
        payload = [];
        fPort = 0;
        if (!string.Equals(commandName, SwitchCommand, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var set in sets)
        {
            if (set.Property == TwinProperty.On)
            {
                payload = EncodeSwitch(set.Value.AsBool);
                fPort = Port;
                return true;
            }
        }

        return false;
    }

    /// <summary>The switch control downlink for all outputs.</summary>
    public static byte[] EncodeSwitch(bool on) => [SwitchChannel, AllOutputs, on ? AllOutputs : (byte)0];

    /// <summary>
    /// A periodic report as the controller sends it (fPort 85): voltage, active power, power factor,
    /// energy, current (derived) and the switch states of all outputs. Power and energy travel as whole
    /// watts and watt-hours, voltage in tenths of a volt and the power factor in whole percent.
    /// </summary>
    public static (byte[] Payload, int FPort) Encode(double voltageV, double powerW, double powerFactor, double energyWh, bool on)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(voltageV);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(voltageV, ushort.MaxValue / 10.0);
        ArgumentOutOfRangeException.ThrowIfNegative(powerW);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(powerW, uint.MaxValue);
        ArgumentOutOfRangeException.ThrowIfNegative(powerFactor);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(powerFactor, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegative(energyWh);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(energyWh, uint.MaxValue);

        // I = P / (V * PF); a real controller measures it, here it only has to be consistent.
        var apparent = voltageV * powerFactor;
        var currentMa = apparent > 0 ? Math.Min(Math.Round(powerW / apparent * 1000.0), ushort.MaxValue) : 0;

        var frame = new byte[4 + 6 + 3 + 6 + 4 + 4];
        var w = frame.AsSpan();
        w[0] = VoltageChannel;
        w[1] = VoltageType;
        BinaryPrimitives.WriteUInt16LittleEndian(w[2..], (ushort)Math.Round(voltageV * 10.0));
        w = w[4..];
        w[0] = PowerChannel;
        w[1] = PowerType;
        BinaryPrimitives.WriteUInt32LittleEndian(w[2..], (uint)Math.Round(powerW));
        w = w[6..];
        w[0] = PowerFactorChannel;
        w[1] = PowerFactorType;
        w[2] = (byte)Math.Round(powerFactor * 100.0);
        w = w[3..];
        w[0] = EnergyChannel;
        w[1] = EnergyType;
        BinaryPrimitives.WriteUInt32LittleEndian(w[2..], (uint)Math.Round(energyWh));
        w = w[6..];
        w[0] = CurrentChannel;
        w[1] = CurrentType;
        BinaryPrimitives.WriteUInt16LittleEndian(w[2..], (ushort)currentMa);
        w = w[4..];
        w[0] = SwitchChannel;
        w[1] = SwitchType;
        w[2] = 0;
        w[3] = on ? AllOutputs : (byte)0;
        return (frame, Port);
    }

    // Value bytes after the two header bytes, or -1 when the item is not part of the WS558 format.
    private static int ValueSize(byte channel, byte type) => (channel, type) switch
    {
        (VoltageChannel, VoltageType) => 2,
        (PowerChannel, PowerType) => 4,
        (PowerFactorChannel, PowerFactorType) => 1,
        (EnergyChannel, EnergyType) => 4,
        (CurrentChannel, CurrentType) => 2,
        (SwitchChannel, SwitchType) => 2,
        (AttributeChannel or ResponseChannel, _) => AttributeSize(type),
        _ => -1,
    };

    private static int AttributeSize(byte type) => type switch
    {
        0x01 => 1, // protocol version
        0x09 => 2, // hardware version
        0x0A => 2, // firmware version
        0xFF => 2, // TSL version
        0x16 => 8, // serial number
        0x0F => 1, // LoRaWAN class
        0xFE => 1, // reset event
        0x0B => 1, // device status
        0x26 => 1, // power consumption metering enabled
        0x10 => 1, // reboot acknowledged
        0x28 => 1, // status report requested
        0x03 => 2, // report interval
        0x23 => 2, // delay task cancelled
        0x27 => 1, // energy counter cleared
        0x32 => 5, // delayed switch task
        _ => -1,
    };

    private static DecodeResult Fail(List<Reading> output, int start, string reason)
    {
        // A half-read frame is not applied in part.
        output.RemoveRange(start, output.Count - start);
        return DecodeResult.Fail(reason);
    }
}
