namespace TwinCity.Bench.Measure;

/// <summary>
/// A paced run with a fault in it, read from when each uplink was published and when it was recorded:
/// how many were recorded second by second, when the survivors were back at the offered rate, and how
/// long the uplinks caught in the fault waited. Times are seconds from the first publish.
/// </summary>
/// <remarks>
/// <para>
/// <b>Back at the offered rate</b> at the end <c>T</c> of the first one-second window <c>[T - 1, T)</c>
/// after the fault (windows end every 0.1 s, the first one second after the fault) in which both hold:
/// at least <see cref="BackShare"/> of the offered rate was recorded in the window, and nothing
/// published before <c>T - 1</c> is still unrecorded at <c>T</c>: the backlog the fault left is drained,
/// not merely a fast second in the middle of it. Uplinks never recorded are not in the data (they are
/// counted as lost apart), so they do not hold the moment back.
/// </para>
/// <para>
/// <b>The delay during the takeover</b> is the largest publish-to-recorded time of the uplinks published
/// from <see cref="BeforeFault"/> before the fault (those in flight at the silo that failed, which come
/// again only from its taken-over session) until the survivors were back at rate (until the end when
/// they never were). The uplinks published before that window give the steady figures to compare with.
/// </para>
/// </remarks>
public sealed class FailoverTimeline
{
    /// <summary>The share of the offered rate a window must reach to count as back at rate.</summary>
    public const double BackShare = 0.95;

    /// <summary>Uplinks published this long before the fault may be in flight at the failing silo: they belong to the takeover.</summary>
    public const double BeforeFault = 5;

    private const double Window = 1;
    private const double Step = 0.1;

    private FailoverTimeline(
        double faultAt,
        double rate,
        double? backAt,
        (double Published, double Recorded)? slowest,
        double steadyMax,
        double steadyP99,
        IReadOnlyList<FailoverSecond> seconds)
    {
        FaultAt = faultAt;
        Rate = rate;
        BackAt = backAt;
        Slowest = slowest;
        SteadyMaxDelay = steadyMax;
        SteadyP99Delay = steadyP99;
        Seconds = seconds;
    }

    public double FaultAt { get; }

    public double Rate { get; }

    /// <summary>When the survivors were back at the offered rate (the end of the window), or null when they never were.</summary>
    public double? BackAt { get; }

    /// <summary>Seconds from the fault to <see cref="BackAt"/>, or null.</summary>
    public double? BackAfter => BackAt - FaultAt;

    /// <summary>The uplink of the takeover window that waited longest: when it was published and recorded; null when none was recorded.</summary>
    public (double Published, double Recorded)? Slowest { get; }

    /// <summary>The largest publish-to-recorded delay in the takeover window, in seconds (NaN when none).</summary>
    public double MaxDelay => Slowest is { } s ? s.Recorded - s.Published : double.NaN;

    /// <summary>The largest and the 99th-percentile delay of the uplinks published before the takeover window, in seconds (NaN when none).</summary>
    public double SteadyMaxDelay { get; }

    public double SteadyP99Delay { get; }

    /// <summary>Every whole second from the first publish to the last record.</summary>
    public IReadOnlyList<FailoverSecond> Seconds { get; }

    public static FailoverTimeline Compute(IReadOnlyList<(double Published, double Recorded)> uplinks, double faultAt, double rate)
    {
        ArgumentNullException.ThrowIfNull(uplinks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        (double Published, double Recorded)[] byPublished = [.. uplinks.OrderBy(u => u.Published)];
        double[] published = [.. byPublished.Select(u => u.Published)];
        double[] recorded = [.. uplinks.Select(u => u.Recorded).Order()];
        if (published.Length == 0)
        {
            return new FailoverTimeline(faultAt, rate, null, null, double.NaN, double.NaN, []);
        }

        // The latest record among the first i uplinks by publish time: nothing published before a moment
        // is outstanding at T when that maximum, up to the moment, is below T.
        double[] latestRecord = new double[byPublished.Length + 1];
        latestRecord[0] = double.NegativeInfinity;
        for (int i = 0; i < byPublished.Length; i++)
        {
            latestRecord[i + 1] = Math.Max(latestRecord[i], byPublished[i].Recorded);
        }

        double? backAt = null;
        double end = recorded[^1] + Window;
        for (int n = 0; ; n++)
        {
            // Whole tenths from the fault, so that the sum does not drift.
            double t = faultAt + Window + (n * Step);
            if (t > end)
            {
                break;
            }

            int inWindow = CountBelow(recorded, t) - CountBelow(recorded, t - Window);
            int olderThanWindow = CountBelow(published, t - Window);
            if (inWindow >= BackShare * rate && latestRecord[olderThanWindow] < t)
            {
                backAt = t;
                break;
            }
        }

        double from = faultAt - BeforeFault;
        double until = backAt ?? double.PositiveInfinity;
        (double Published, double Recorded)? slowest = null;
        var steady = new List<double>();
        foreach ((double p, double r) in byPublished)
        {
            if (p < from)
            {
                steady.Add(r - p);
            }
            else if (p < until && (slowest is not { } s || r - p > s.Recorded - s.Published))
            {
                slowest = (p, r);
            }
        }

        var percentiles = new Percentiles(steady);
        return new FailoverTimeline(faultAt, rate, backAt, slowest, percentiles.Max, percentiles.At(99), PerSecond(byPublished, published, recorded));
    }

    /// <summary>For each whole second: published and recorded in it, the backlog at its end, the longest wait of what was recorded in it.</summary>
    private static FailoverSecond[] PerSecond((double Published, double Recorded)[] byPublished, double[] published, double[] recorded)
    {
        int count = (int)Math.Floor(Math.Max(recorded[^1], published[^1])) + 1;
        double[] maxDelay = new double[count];
        Array.Fill(maxDelay, double.NaN);
        foreach ((double p, double r) in byPublished)
        {
            int second = Math.Clamp((int)Math.Floor(r), 0, count - 1);
            if (double.IsNaN(maxDelay[second]) || r - p > maxDelay[second])
            {
                maxDelay[second] = r - p;
            }
        }

        var seconds = new FailoverSecond[count];
        for (int i = 0; i < count; i++)
        {
            int publishedIn = CountBelow(published, i + 1) - CountBelow(published, i);
            int recordedIn = CountBelow(recorded, i + 1) - CountBelow(recorded, i);
            int backlog = CountBelow(published, i + 1) - CountBelow(recorded, i + 1);
            seconds[i] = new FailoverSecond(i, publishedIn, recordedIn, backlog, maxDelay[i]);
        }

        return seconds;
    }

    /// <summary>How many of the sorted <paramref name="values"/> are below <paramref name="limit"/>.</summary>
    private static int CountBelow(double[] values, double limit)
    {
        int low = 0;
        int high = values.Length;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (values[mid] < limit)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
