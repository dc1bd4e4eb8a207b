using System.Buffers;
using System.Text.Json;

namespace TwinCity.Silo.Simulation;

/// <summary>
/// Writes ChirpStack v4 integration events (the JSON of its MQTT integration, protobuf field names in
/// camel case) for one application, as ChirpStack would publish them for the simulated devices.
/// </summary>
internal sealed class ChirpStackMessages(string applicationId)
{
    /// <summary>The tenant of the simulated network server; any fixed UUID does.</summary>
    public const string TenantId = "52f14cd4-c6f1-4fbd-8f87-4025e1d49242";

    public string ApplicationId { get; } = applicationId;

    public string Topic(SimulatedDevice device, string networkEvent) =>
        $"application/{ApplicationId}/device/{device.DevEui.ToLowerInvariant()}/event/{networkEvent}";

    /// <summary>The topic ChirpStack takes downlinks on for this application (any device).</summary>
    public string DownlinkFilter => $"application/{ApplicationId}/device/+/command/down";

    public OutgoingMessage Up(SimulatedDevice device, DeviceFrame frame, RadioSample radio, DateTime timeUtc, Random random)
    {
        byte[] json = Write(writer =>
        {
            Header(writer, device, timeUtc, random);
            writer.WriteString("devAddr", device.DevAddr);
            writer.WriteBoolean("adr", true);
            writer.WriteNumber("dr", 12 - radio.SpreadingFactor);
            writer.WriteNumber("fCnt", frame.FCnt);
            writer.WriteNumber("fPort", frame.FPort);
            writer.WriteBoolean("confirmed", false);
            writer.WriteBase64String("data", frame.Payload);
            writer.WriteStartArray("rxInfo");
            writer.WriteStartObject();
            writer.WriteString("gatewayId", radio.GatewayId.ToLowerInvariant());
            writer.WriteNumber("uplinkId", random.Next(1, int.MaxValue));
            writer.WriteString("gwTime", timeUtc);
            writer.WriteString("nsTime", timeUtc);
            writer.WriteNumber("rssi", radio.Rssi);
            writer.WriteNumber("snr", radio.Snr);
            writer.WriteNumber("channel", ChannelOf(radio.FrequencyHz));
            writer.WriteString("crcStatus", "CRC_OK");
            writer.WriteEndObject();
            writer.WriteEndArray();
            TxInfo(writer, radio);
        });
        return new OutgoingMessage(Topic(device, "up"), json, OutgoingKind.Up, device);
    }

    public OutgoingMessage Join(SimulatedDevice device, DateTime timeUtc, Random random)
    {
        byte[] json = Write(writer =>
        {
            Header(writer, device, timeUtc, random);
            writer.WriteString("devAddr", device.DevAddr);
        });
        return new OutgoingMessage(Topic(device, "join"), json, OutgoingKind.Join, device);
    }

    /// <summary>The gateway sent a downlink to the device.</summary>
    public OutgoingMessage TxAck(SimulatedDevice device, string queueItemId, RadioSample radio, DateTime timeUtc, Random random)
    {
        byte[] json = Write(writer =>
        {
            writer.WriteNumber("downlinkId", random.Next(1, int.MaxValue));
            writer.WriteString("time", timeUtc);
            DeviceInfo(writer, device);
            writer.WriteString("queueItemId", queueItemId);
            writer.WriteNumber("fCntDown", device.FCntDown);
            writer.WriteString("gatewayId", radio.GatewayId.ToLowerInvariant());
            TxInfo(writer, radio);
        });
        return new OutgoingMessage(Topic(device, "txack"), json, OutgoingKind.TxAck, device);
    }

    /// <summary>The device acknowledged a confirmed downlink (in its next uplink).</summary>
    public OutgoingMessage Ack(SimulatedDevice device, string queueItemId, DateTime timeUtc, Random random)
    {
        byte[] json = Write(writer =>
        {
            Header(writer, device, timeUtc, random);
            writer.WriteString("queueItemId", queueItemId);
            writer.WriteBoolean("acknowledged", true);
            writer.WriteNumber("fCntDown", device.FCntDown);
        });
        return new OutgoingMessage(Topic(device, "ack"), json, OutgoingKind.Ack, device);
    }

    private void Header(Utf8JsonWriter writer, SimulatedDevice device, DateTime timeUtc, Random random)
    {
        Span<byte> id = stackalloc byte[16];
        random.NextBytes(id);
        writer.WriteString("deduplicationId", new Guid(id));
        writer.WriteString("time", timeUtc);
        DeviceInfo(writer, device);
    }

    private void DeviceInfo(Utf8JsonWriter writer, SimulatedDevice device)
    {
        writer.WriteStartObject("deviceInfo");
        writer.WriteString("tenantId", TenantId);
        writer.WriteString("tenantName", "Baku");
        writer.WriteString("applicationId", ApplicationId);
        writer.WriteString("applicationName", ApplicationId);
        writer.WriteString("deviceProfileName", device.Seed.Codec);
        writer.WriteString("deviceName", device.Seed.Name);
        writer.WriteString("devEui", device.DevEui.ToLowerInvariant());
        writer.WriteString("deviceClassEnabled", "CLASS_A");
        writer.WriteEndObject();
    }

    private static void TxInfo(Utf8JsonWriter writer, RadioSample radio)
    {
        writer.WriteStartObject("txInfo");
        writer.WriteNumber("frequency", radio.FrequencyHz);
        writer.WriteStartObject("modulation");
        writer.WriteStartObject("lora");
        writer.WriteNumber("bandwidth", 125000);
        writer.WriteNumber("spreadingFactor", radio.SpreadingFactor);
        writer.WriteString("codeRate", "CR_4_5");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static int ChannelOf(long frequencyHz) => (int)((frequencyHz - 868_100_000) / 200_000);

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(768);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
