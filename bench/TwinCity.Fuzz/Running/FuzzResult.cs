namespace TwinCity.Fuzz.Running;

/// <summary>The figures of one target's pass.</summary>
public sealed record FuzzResult(
    string Target,
    long Inputs,
    long Accepted,
    long Rejected,
    int DistinctReasons,
    long CrashCount,
    IReadOnlyList<FuzzCrash> Crashes,
    TimeSpan Elapsed,
    long ManagedBytesAfterWarmUp,
    long ManagedBytesAtEnd)
{
    public double InputsPerSecond => Inputs / Math.Max(Elapsed.TotalSeconds, 1e-9);

    public long ManagedGrowth => ManagedBytesAtEnd - ManagedBytesAfterWarmUp;
}
