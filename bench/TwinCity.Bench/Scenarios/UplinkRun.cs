using System.Diagnostics;
using System.Globalization;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Publishing;
using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Scenarios;

/// <summary>
/// Runs the publisher process and follows a counter at the receiving end (the bare subscriber, or
/// ingest's applied count) until it has counted everything that was published, or stops moving.
/// </summary>
public static class UplinkRun
{
    /// <summary>How long a counter may stand still after publishing ended before the rest counts as lost.</summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(20);

    public static Task<UplinkRunResult> RunAsync(
        string label,
        PublishPlan plan,
        Func<CancellationToken, Task<long>> count,
        Func<double> targetCpu,
        TimeSpan sampleEvery,
        CancellationToken cancellationToken) =>
        RunAsync(label, plan, count, targetCpu, sampleEvery, window: null, cancellationToken);

    /// <param name="window">Opened just before the run's CPU is first read and the publisher starts, closed once the count is complete or has stalled.</param>
    public static async Task<UplinkRunResult> RunAsync(
        string label,
        PublishPlan plan,
        Func<CancellationToken, Task<long>> count,
        Func<double> targetCpu,
        TimeSpan sampleEvery,
        IRunWindow? window,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(count);
        ArgumentNullException.ThrowIfNull(targetCpu);
        long before = await count(cancellationToken);
        var series = new RateSeries();
        if (window is not null)
        {
            await window.OpenAsync(cancellationToken);
        }

        double cpu0 = targetCpu();
        var clock = Stopwatch.StartNew();
        await using PublisherProcess publisher = PublisherProcess.Start(plan.ToArgs());
        series.Add(0, 0);
        long counted = 0;
        long lastCounted = -1;
        TimeSpan lastMove = TimeSpan.Zero;
        double rate = 0;
        double cpuAtEnd = double.NaN;
        double publisherCpu = 0;
        string? problem = null;
        while (true)
        {
            await Task.Delay(sampleEvery, cancellationToken);
            counted = await count(cancellationToken) - before;
            double now = clock.Elapsed.TotalSeconds;
            series.Add(now, counted);
            if (counted != lastCounted)
            {
                // The count is read from the silo's metrics, which may move less often than we look:
                // the rate shown is over the time since the count last moved, not since the last look.
                if (lastCounted >= 0)
                {
                    rate = (counted - lastCounted) / (clock.Elapsed - lastMove).TotalSeconds;
                }

                lastCounted = counted;
                lastMove = clock.Elapsed;
                cpuAtEnd = targetCpu();
            }

            Task<(long Published, double Seconds, long Failed)> done = publisher.Completion;
            if (!done.IsCompleted)
            {
                publisherCpu = publisher.CpuSeconds();
            }

            if (done.IsFaulted)
            {
                problem = done.Exception!.GetBaseException().Message;
                break;
            }

            // Read the publisher's state once: it may finish between two looks, and a count read while
            // it ran must not be compared as if it were the final one.
            bool finished = done.IsCompletedSuccessfully;
            long published = finished ? done.Result.Published : publisher.Published;
            Progress.Step(string.Create(CultureInfo.InvariantCulture, $"{label}: published {published:N0}/{plan.Uplinks:N0}, counted {counted:N0} ({rate:N0}/s), {now:0}s"));
            if (finished && counted >= published)
            {
                break;
            }

            if (finished && clock.Elapsed - lastMove > StallTimeout)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"the count stood still at {counted:N0} of {published:N0} for {StallTimeout.TotalSeconds:0} s");
                break;
            }
        }

        if (window is not null)
        {
            await window.CloseAsync(cancellationToken);
        }

        // The series ends where the count last moved: a tail of samples after the end is not part of the rate.
        var trimmed = new RateSeries();
        foreach ((double s, long c) in series.Samples)
        {
            trimmed.Add(s, c);
            if (c == counted)
            {
                break;
            }
        }

        (long total, double seconds, long failed) = publisher.Completion.IsCompletedSuccessfully ? publisher.Completion.Result : (publisher.Published, double.NaN, 0);
        Progress.Say(string.Create(CultureInfo.InvariantCulture, $"{label}: published {total:N0}, counted {counted:N0}"));
        return new UplinkRunResult(total, counted, failed, seconds, publisherCpu, cpuAtEnd - cpu0, trimmed.Samples[^1].Seconds, trimmed, problem);
    }

    /// <summary>A timed run and the warm-up before it: its first round (null when there was none), how many rounds it took, and what a gauge read after each.</summary>
    public sealed record WarmedRun(UplinkRunResult Timed, UplinkRunResult? Warmup, int WarmupRounds, IReadOnlyList<string> WarmupReadings);

    /// <summary>
    /// Tells whether the load's processes are still warming up after a round of the warm-up (for a
    /// silo: still compiling its hot code), so that the timed run starts in their steady state.
    /// </summary>
    public interface IWarmupGauge
    {
        /// <summary>Called just before each round starts publishing.</summary>
        void RoundStarting();

        /// <summary>After a round: what was read over it, and whether another round is needed.</summary>
        (string Reading, bool StillWarming) RoundEnded();
    }

    /// <summary>As the overload with a window, with none.</summary>
    public static Task<WarmedRun> RunWarmedAsync(
        string label,
        PublishPlan plan,
        long warmup,
        Func<CancellationToken, Task<long>> count,
        Func<double> targetCpu,
        TimeSpan sampleEvery,
        CancellationToken cancellationToken) =>
        RunWarmedAsync(label, plan, warmup, count, targetCpu, sampleEvery, timedWindow: null, cancellationToken);

    /// <summary>
    /// Runs <paramref name="warmup"/> uplinks of <paramref name="plan"/> (a plan from frame counter 1),
    /// counted apart, and then the plan itself from the first counter above every one the warm-up
    /// sent, so that no twin takes a timed uplink for a repeat.
    /// </summary>
    /// <param name="timedWindow">A window around the timed run only (see <see cref="RunAsync(string, PublishPlan, Func{CancellationToken, Task{long}}, Func{double}, TimeSpan, IRunWindow?, CancellationToken)"/>); the warm-up has none.</param>
    public static Task<WarmedRun> RunWarmedAsync(
        string label,
        PublishPlan plan,
        long warmup,
        Func<CancellationToken, Task<long>> count,
        Func<double> targetCpu,
        TimeSpan sampleEvery,
        IRunWindow? timedWindow,
        CancellationToken cancellationToken) =>
        RunWarmedAsync(label, plan, warmup, count, targetCpu, sampleEvery, timedWindow, gauge: null, maxRounds: 1, cancellationToken);

    /// <summary>
    /// As the overload without a gauge, but the warm-up is repeated, <paramref name="warmup"/> uplinks
    /// a round and up to <paramref name="maxRounds"/> rounds, while <paramref name="gauge"/> says the
    /// load is still warming up. Each round continues the frame counters of the one before.
    /// </summary>
    public static async Task<WarmedRun> RunWarmedAsync(
        string label,
        PublishPlan plan,
        long warmup,
        Func<CancellationToken, Task<long>> count,
        Func<double> targetCpu,
        TimeSpan sampleEvery,
        IRunWindow? timedWindow,
        IWarmupGauge? gauge,
        int maxRounds,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRounds);
        UplinkRunResult? first = null;
        long sent = 0;
        int rounds = 0;
        var readings = new List<string>();
        while (warmup > 0 && rounds < maxRounds)
        {
            rounds++;
            string round = maxRounds == 1 ? "warm-up" : $"warm-up round {rounds}";
            Progress.Say($"{label} {round}: {warmup:N0} uplinks, not timed with the rest");
            gauge?.RoundStarting();
            UplinkRunResult warm = await RunAsync($"{label} {round}", plan with { Uplinks = warmup, FirstFCnt = FirstFCntAfter(plan.Devices, sent) }, count, targetCpu, sampleEvery, cancellationToken);
            first ??= warm;
            sent += warmup;
            if (gauge is null)
            {
                break;
            }

            (string reading, bool stillWarming) = gauge.RoundEnded();
            readings.Add(reading);
            Progress.Say($"{label} {round}: {reading}");
            if (!stillWarming || warm.Counted < warm.Published)
            {
                // Warm, or something went wrong that more rounds would only repeat: the timed run reports it.
                break;
            }
        }

        UplinkRunResult timed = await RunAsync(label, plan with { FirstFCnt = FirstFCntAfter(plan.Devices, sent) }, count, targetCpu, sampleEvery, timedWindow, cancellationToken);
        return new WarmedRun(timed, first, rounds, readings);
    }

    /// <summary>
    /// The first frame counter for a plan that follows <paramref name="warmup"/> uplinks over
    /// <paramref name="devices"/> devices: above every counter the warm-up sent.
    /// </summary>
    public static uint FirstFCntAfter(int devices, long warmup)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(devices);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        return checked((uint)(1 + ((warmup + devices - 1) / devices)));
    }
}
