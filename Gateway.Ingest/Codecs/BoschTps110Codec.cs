using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>
/// Bosch TPS110 parking lot sensor (one bay each). Every frame type has its own fPort; see
/// docs/codecs.md.
/// </summary>
public sealed class BoschTps110Codec : IPayloadCodec
{
    /// <summary>Sent whenever the bay changes between free and occupied.</summary>
    public const int ParkingStatusPort = 1;

    /// <summary>Periodic sign of life, repeating the occupancy and adding the temperature.</summary>
    public const int HeartbeatPort = 2;

    /// <summary>Sent once after a reset: debug codes, firmware version, reset cause and occupancy.</summary>
    public const int StartUpPort = 3;

    /// <summary>Device information, usage counters and debug records: nothing the twin holds.</summary>
    public const int DeviceInformationPort = 4;

    public const int DeviceUsagePort = 5;

    public const int DebugPort = 6;

    private const int StartUpOccupancyIndex = 16;
    private const int StartUpLength = StartUpOccupancyIndex + 1;
    private const byte OccupiedBit = 0x01;

    public string Name => "bosch-tps110";

    public bool Supports(TwinKind kind) => kind == TwinKind.RoadSensor;

    public DecodeResult Decode(ReadOnlySpan<byte> payload, int fPort, in CodecContext context, List<Reading> output)
    {
        switch (fPort)
        {
            case ParkingStatusPort or HeartbeatPort:
                if (payload.IsEmpty)
                {
                    return DecodeResult.Fail($"bosch-tps110: empty frame on fPort {fPort}, expected at least 1 byte of occupancy");
                }

                output.Add(Reading.Of(TwinProperty.ParkingOccupied, (payload[0] & OccupiedBit) != 0));
                return DecodeResult.Success;

            case StartUpPort:
                // A start-up frame too short to reach the occupancy byte still tells ingest the sensor
                // is alive (and resets its last-seen time), so it decodes to no values, not a failure.
                if (payload.Length >= StartUpLength)
                {
                    output.Add(Reading.Of(TwinProperty.ParkingOccupied, (payload[StartUpOccupancyIndex] & OccupiedBit) != 0));
                }

                return DecodeResult.Success;

            case DeviceInformationPort or DeviceUsagePort or DebugPort:
                return DecodeResult.Success;

            default:
                return DecodeResult.Fail($"bosch-tps110: unknown fPort {fPort} (known: 1 parking status, 2 heartbeat, 3 start-up, 4-6 device information, usage and debug)");
        }
    }

    /// <summary>A parking status frame (1 byte, fPort 1).</summary>
    public static (byte[] Payload, int FPort) EncodeOccupancy(bool occupied) => ([Occupancy(occupied)], ParkingStatusPort);

    /// <summary>A heartbeat frame (2 bytes, fPort 2) with the sensor's temperature in whole degrees Celsius.</summary>
    public static (byte[] Payload, int FPort) EncodeHeartbeat(bool occupied, int temperatureC)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(temperatureC, sbyte.MinValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(temperatureC, sbyte.MaxValue);
        return ([Occupancy(occupied), unchecked((byte)(sbyte)temperatureC)], HeartbeatPort);
    }

    /// <summary>
    /// A start-up frame (17 bytes, fPort 3): no debug codes, firmware 0.29.2, reset cause
    /// "power on", then the occupancy.
    /// </summary>
    public static (byte[] Payload, int FPort) EncodeStartUp(bool occupied)
    {
        var frame = new byte[StartUpLength];
        frame[12] = 0;
        frame[13] = 29;
        frame[14] = 2;
        frame[15] = 2;
        frame[StartUpOccupancyIndex] = Occupancy(occupied);
        return (frame, StartUpPort);
    }

    private static byte Occupancy(bool occupied) => occupied ? OccupiedBit : (byte)0;
}
