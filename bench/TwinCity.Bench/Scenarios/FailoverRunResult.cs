namespace TwinCity.Bench.Scenarios;

/// <summary>What the paced run with a fault in it saw as it went (<see cref="FailoverRun"/>).</summary>
/// <param name="Published">Uplinks the broker acknowledged to the publisher.</param>
/// <param name="PublishFailures">Publishes the broker did not acknowledge, or that were never sent.</param>
/// <param name="PublisherSeconds">How long the publisher took from its first publish to its last acknowledgement (NaN when it did not finish).</param>
/// <param name="FirstPublish">The run's first publish (the earliest event time in the history), or null when nothing was recorded.</param>
/// <param name="Fault">When the signal was sent, or null when it never was.</param>
/// <param name="TakeoverSeen">When a survivor's <c>twincity_ingest_takeovers_total</c> was first seen above 0 (polled each second), or null.</param>
/// <param name="Recorded">History rows of the run when it ended.</param>
/// <param name="Problem">Why the run ended before everything published was recorded, or null.</param>
public sealed record FailoverRunResult(
    long Published,
    long PublishFailures,
    double PublisherSeconds,
    DateTime? FirstPublish,
    DateTime? Fault,
    DateTime? TakeoverSeen,
    long Recorded,
    string? Problem);
