namespace TwinCity.Gateway.Ingest.Envelopes;

/// <summary>The network-server events ingest understands (ChirpStack v4 event names; The Things Stack mapped onto them).</summary>
public enum NetworkEvent : byte
{
    Unknown = 0,
    Up = 1,
    Join = 2,
    Status = 3,
    /// <summary>The device acknowledged a confirmed downlink (ChirpStack <c>ack</c>, TTS <c>down/ack</c>).</summary>
    Ack = 4,
    /// <summary>A gateway transmitted a downlink (ChirpStack <c>txack</c>, TTS <c>down/sent</c>).</summary>
    TxAck = 5,
    Log = 6,
    /// <summary>The device did not acknowledge a confirmed downlink (TTS <c>down/nack</c>).</summary>
    Nack = 7,
    /// <summary>The network server could not schedule a downlink (TTS <c>down/failed</c>).</summary>
    DownlinkFailed = 8,
    /// <summary>A downlink was queued (TTS <c>down/queued</c>); informational.</summary>
    DownlinkQueued = 9,
}
