namespace TwinCity.Bench.Measure;

/// <summary>
/// A counter sampled over time. The sustained rate is taken between the moments the counter passed
/// 10 % and 90 % of its final value, so that neither the ramp-up (connections, JIT, first
/// activations) nor the drain at the end counts as the platform's speed.
/// </summary>
public sealed class RateSeries
{
    private readonly List<(double Seconds, long Count)> _samples = [];

    public IReadOnlyList<(double Seconds, long Count)> Samples => _samples;

    public void Add(double seconds, long count) => _samples.Add((seconds, count));

    /// <summary>The sustained rate per second, and the window it was measured over (seconds).</summary>
    public (double Rate, double WindowSeconds) Sustained()
    {
        if (_samples.Count < 2)
        {
            return (double.NaN, 0);
        }

        long final = _samples[^1].Count;
        (double Seconds, long Count)? low = null;
        (double Seconds, long Count)? high = null;
        foreach ((double s, long c) in _samples)
        {
            if (low is null && c >= final * 0.1)
            {
                low = (s, c);
            }

            if (high is null && c >= final * 0.9)
            {
                high = (s, c);
            }
        }

        if (low is { } l && high is { } h && h.Seconds - l.Seconds >= 1 && h.Count > l.Count)
        {
            return ((h.Count - l.Count) / (h.Seconds - l.Seconds), h.Seconds - l.Seconds);
        }

        // Too short a run for a window: the average from the last sample before anything was counted
        // (or the first count, when every sample counted) to the first sample at the final count. A
        // run that completed between two samples still has the sample before it to measure from.
        int end = _samples.FindIndex(x => x.Count == final);
        int firstCounted = _samples.FindIndex(x => x.Count > 0);
        int start = firstCounted > 0 ? firstCounted - 1 : Math.Max(firstCounted, 0);
        (double s0, long c0) = _samples[start];
        (double s1, long c1) = _samples[end];
        return s1 > s0 ? ((c1 - c0) / (s1 - s0), s1 - s0) : (double.NaN, 0);
    }
}
