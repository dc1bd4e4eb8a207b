namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>What ingest did with one message. Everything but <see cref="Retry"/> is final and acknowledged.</summary>
public enum IngestOutcome : byte
{
    Applied = 0,
    /// <summary>Already applied (redelivery, several gateways, MQTT and HTTP both): dropped.</summary>
    Duplicate = 1,
    /// <summary>A valid event with nothing to apply (a queued-downlink notice, say).</summary>
    Ignored = 2,
    /// <summary>Bad input: kept as a dead letter with its reason.</summary>
    DeadLettered = 3,
    /// <summary>A passing fault (a silo busy or going away): not acknowledged, so it is delivered again.</summary>
    Retry = 4,
}
