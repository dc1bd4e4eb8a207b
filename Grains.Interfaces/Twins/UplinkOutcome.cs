namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>What a twin did with an uplink. Every outcome is final: ingest acknowledges all of them.</summary>
public enum UplinkOutcome : byte
{
    Applied = 0,
    /// <summary>Same or older frame counter: a redelivery or a replay, dropped.</summary>
    Duplicate = 1,
    /// <summary>The twin is not (or no longer) bound to this DevEUI.</summary>
    NotBound = 2,
    /// <summary>The device was heard in another network server's application: this sender may not speak for it.</summary>
    OtherApplication = 3,
    /// <summary>The frame counter jumped further beyond the last one than a real device's can (Twins:MaxFrameCounterGap).</summary>
    FrameCounterJump = 4,
}
