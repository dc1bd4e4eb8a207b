using TwinCity.Bench.Measure;

namespace TwinCity.Bench.Scenarios;

/// <summary>One publishing run: how much was published and counted at the other end, and how fast.</summary>
public sealed record UplinkRunResult(
    long Published,
    long Counted,
    long PublishFailures,
    double PublisherSeconds,
    double PublisherCpuSeconds,
    double TargetCpuSeconds,
    double ElapsedSeconds,
    RateSeries Series,
    string? Problem)
{
    public (double Rate, double WindowSeconds) Sustained => Series.Sustained();
}
