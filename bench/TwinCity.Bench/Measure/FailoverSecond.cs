namespace TwinCity.Bench.Measure;

/// <summary>One second of a failover run (<see cref="FailoverTimeline"/>), counted from the first publish.</summary>
/// <param name="Second">Its start, in whole seconds from the first publish.</param>
/// <param name="Published">Uplinks published in it.</param>
/// <param name="Recorded">Uplinks recorded in it.</param>
/// <param name="Backlog">At its end: uplinks published and not yet recorded (of those ever recorded).</param>
/// <param name="MaxDelay">The longest publish-to-recorded time of the uplinks recorded in it, in seconds; NaN when none was.</param>
public sealed record FailoverSecond(int Second, int Published, int Recorded, int Backlog, double MaxDelay);
