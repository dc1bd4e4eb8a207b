using System.Text.Json;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Envelopes;

/// <summary>
/// What ingest takes from one network-server event, whatever the network server. Fields the
/// server left out hold their default, as in the servers' own JSON (a missing fCnt is 0).
/// </summary>
public sealed class Envelope
{
    public NetworkServer Server { get; set; }

    public NetworkEvent Event { get; set; }

    public ulong DevEui { get; set; }

    public bool HasDevEui { get; set; }

    /// <summary>The network server's device id (TTS <c>device_id</c>); ChirpStack names devices by DevEUI.</summary>
    public string? DeviceId { get; set; }

    /// <summary>ChirpStack application id, or TTS "application_id@tenant" from the topic or the ids.</summary>
    public string? ApplicationId { get; set; }

    /// <summary>ChirpStack's <c>deduplicationId</c>: the same uplink heard by several gateways or sent twice.</summary>
    public DeduplicationKey Deduplication { get; set; }

    /// <summary><see cref="Deduplication"/> as text (a UUID in lower case); null when the envelope has none.</summary>
    public string? DeduplicationId => Deduplication.ToString();

    public DateTime Time { get; set; }

    public uint FCnt { get; set; }

    public int FPort { get; set; }

    public byte[]? Data { get; set; }

    /// <summary>The network server's own decoding of the payload (ChirpStack <c>object</c>, TTS <c>decoded_payload</c>).</summary>
    public JsonElement? Decoded { get; set; }

    public int? Rssi { get; set; }

    public double? Snr { get; set; }

    public string? Gateway { get; set; }

    /// <summary>Battery in percent from a status event, when the device reports one.</summary>
    public double? BatteryPct { get; set; }

    /// <summary>Ack events: whether the device acknowledged.</summary>
    public bool? Acknowledged { get; set; }

    /// <summary>The downlink an ack/txack/log/nack/failed event is about (ChirpStack queueItemId, TTS correlation or session key).</summary>
    public string? DownlinkId { get; set; }

    public string? LogLevel { get; set; }

    public string? LogCode { get; set; }

    public string? LogDescription { get; set; }

    public RadioInfo? Radio => Rssi is null && Snr is null && Gateway is null ? null : new RadioInfo(Rssi, Snr, Gateway);
}
