namespace TwinCity.Grains.Interfaces.Commands;

public enum DownlinkEventKind : byte
{
    /// <summary>A gateway transmitted it (ChirpStack txack, TTS down/sent).</summary>
    Transmitted = 0,
    /// <summary>The device acknowledged it (ChirpStack ack with acknowledged=true, TTS down/ack).</summary>
    Acknowledged = 1,
    /// <summary>The device did not acknowledge, or the network server could not deliver it.</summary>
    Failed = 2,
}
