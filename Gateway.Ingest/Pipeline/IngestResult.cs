namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>The outcome of one message with, for a dead letter or a retry, the reason and the detail.</summary>
/// <param name="Durable">For an applied uplink: completes when its history record is durable; acknowledge only then.</param>
public readonly record struct IngestResult(IngestOutcome Outcome, string? Reason = null, string? Detail = null, Task? Durable = null)
{
    public static IngestResult Applied => new(IngestOutcome.Applied);

    public static IngestResult Duplicate => new(IngestOutcome.Duplicate);

    public static IngestResult Ignored(string why) => new(IngestOutcome.Ignored, null, why);

    public bool IsFinal => Outcome != IngestOutcome.Retry;
}
