using System.Diagnostics;
using System.Globalization;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Publishing;
using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Scenarios;

/// <summary>
/// The paced publisher with a fault in the middle: one silo is killed or stopped a set time after the
/// first publish, and the run follows the history in PostgreSQL, which every silo writes, until it holds
/// every published uplink or stops growing. Nothing here asks the cluster's management API: while a
/// silo hangs, a call that fans out to every silo would hang with it.
/// </summary>
public static class FailoverRun
{
    /// <summary>How long after the fault the run keeps waiting for a survivor to take the failed silo's session over.</summary>
    public static readonly TimeSpan TakeoverWait = TimeSpan.FromSeconds(120);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public static async Task<FailoverRunResult> RunAsync(
        string label,
        PublishPlan plan,
        double faultAtSeconds,
        SiloFault fault,
        BenchSilo failing,
        IReadOnlyList<BenchSilo> survivors,
        UplinkHistory history,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(failing);
        ArgumentNullException.ThrowIfNull(survivors);
        ArgumentNullException.ThrowIfNull(history);
        var clock = Stopwatch.StartNew();
        await using PublisherProcess publisher = PublisherProcess.Start(plan.ToArgs());
        DateTime? firstPublish = null;
        DateTime? faultAt = null;
        DateTime? takeoverSeen = null;
        long recorded = 0;
        long published = 0;
        TimeSpan movedAt = TimeSpan.Zero;
        TimeSpan nextPoll = TimeSpan.Zero;
        string? problem = null;
        while (true)
        {
            await Task.Delay(Tick, cancellationToken);

            // Timed from the first publish as the history records it, to the tick, not from the
            // publisher process's start, which takes the runtime's start-up with it.
            if (faultAt is null && firstPublish is DateTime start && DateTime.UtcNow >= start.AddSeconds(faultAtSeconds))
            {
                faultAt = DateTime.UtcNow;
                await InjectAsync(failing, fault);
                Progress.Say(string.Create(CultureInfo.InvariantCulture, $"{label}: {Signal(fault)} sent to silo pid {failing.ProcessId} at {(faultAt.Value - start).TotalSeconds:0.00} s"));
            }

            if (clock.Elapsed < nextPoll)
            {
                continue;
            }

            nextPoll = clock.Elapsed + Poll;
            firstPublish ??= await history.FirstPublishedAsync(plan.FirstFCnt, cancellationToken);
            long now = await history.CountFromAsync(plan.FirstFCnt, cancellationToken);
            if (now != recorded)
            {
                recorded = now;
                movedAt = clock.Elapsed;
            }

            if (faultAt is not null && takeoverSeen is null && await TakeoversAsync(survivors, cancellationToken) > 0)
            {
                takeoverSeen = DateTime.UtcNow;
                Progress.Say(string.Create(CultureInfo.InvariantCulture, $"{label}: a survivor took the session over ({(takeoverSeen.Value - faultAt.Value).TotalSeconds:0.0} s after the fault, polled each second)"));
            }

            if (survivors.FirstOrDefault(s => s.HasExited) is { } gone)
            {
                problem = $"a surviving silo (pid {gone.ProcessId}) exited: {gone.LogTail(10)}";
                break;
            }

            Task<(long Published, double Seconds, long Failed)> done = publisher.Completion;
            if (done.IsFaulted)
            {
                problem = done.Exception!.GetBaseException().Message;
                published = publisher.Published;
                break;
            }

            bool finished = done.IsCompletedSuccessfully;
            published = finished ? done.Result.Published : publisher.Published;
            Progress.Step(string.Create(CultureInfo.InvariantCulture, $"{label}: published {published:N0}/{plan.Uplinks:N0}, recorded {recorded:N0}, {clock.Elapsed.TotalSeconds:0}s"));
            if (finished && faultAt is null)
            {
                problem = "the load ended before the fault: no uplink of the run reached the history in time to time it";
                break;
            }

            if (finished && recorded >= published)
            {
                break;
            }

            // A session taken over late still brings what it held: the count may stand still until then.
            bool takeoverDue = takeoverSeen is not null || DateTime.UtcNow - faultAt > TakeoverWait;
            if (finished && takeoverDue && clock.Elapsed - movedAt > UplinkRun.StallTimeout)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"the history stood still at {recorded:N0} of {published:N0} for {UplinkRun.StallTimeout.TotalSeconds:0} s");
                break;
            }
        }

        (long total, double seconds, long failed) = publisher.Completion.IsCompletedSuccessfully ? publisher.Completion.Result : (publisher.Published, double.NaN, 0);
        Progress.Say(string.Create(CultureInfo.InvariantCulture, $"{label}: published {total:N0}, recorded {recorded:N0}"));
        return new FailoverRunResult(total, failed, seconds, firstPublish, faultAt, takeoverSeen, recorded, problem);
    }

    /// <summary>Broker sessions of dead silos the survivors have taken over so far (<c>twincity_ingest_takeovers_total</c>, summed); a silo that does not answer counts 0 this time.</summary>
    public static async Task<long> TakeoversAsync(IReadOnlyList<BenchSilo> survivors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(survivors);
        long sum = 0;
        foreach (BenchSilo silo in survivors)
        {
            try
            {
                sum += (long)(await silo.MetricAsync("twincity_ingest_takeovers", cancellationToken) ?? 0);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Busy for a moment; asked again at the next poll.
            }
        }

        return sum;
    }

    public static string Signal(SiloFault fault) => fault == SiloFault.Kill ? "SIGKILL" : "SIGSTOP";

    private static async Task InjectAsync(BenchSilo silo, SiloFault fault)
    {
        if (fault == SiloFault.Kill)
        {
            await silo.KillAsync();
        }
        else
        {
            silo.Freeze();
        }
    }
}
