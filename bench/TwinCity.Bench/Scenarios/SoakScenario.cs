using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Load;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Publishing;
using TwinCity.Bench.Reporting;
using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Scenarios;

/// <summary>
/// The real city for a long while: a fixed uplink rate over MQTT, and many SignalR viewers that each
/// pan to another part of the city every few seconds. Every interval (a minute by default) it samples
/// the silo process (working set and threads from /proc, managed heap from /metrics), uplinks published
/// and applied, viewers still connected, and publish to viewer latency of the changes each viewer should
/// get for the area it watched, timed as the latency scenario does (the streetlight's energy counter
/// names its uplink, whose publish time the publisher writes down as it goes).
/// </summary>
public sealed class SoakScenario : IBenchScenario
{
    /// <summary>Growth from the first interval to the last that a steady silo stays within.</summary>
    public const double GrowthTargetPercent = 10;

    /// <summary>The last interval's p99 against the first's: latency should not creep up as the run goes on.</summary>
    public const double P99RatioTarget = 1.5;

    /// <summary>
    /// The embedded city's in-memory history keeps the latest 200,000 uplinks (<c>InMemoryHistory</c>):
    /// a bounded buffer that fills in the first minutes of a run. It is filled before the clock starts,
    /// so that growth after the first interval means what it should: memory that does not level off.
    /// </summary>
    public const long DefaultFill = 200_000;

    private static readonly string[] Columns =
    [
        "interval (end)", "published", "applied", "viewers connected", "pans", "changes timed",
        "viewer p50 ms", "viewer p99 ms", "viewer max ms", "working set MiB", "managed heap MiB", "live heap MiB", "threads",
        "silo GC pauses ms", "silo gen2 GCs", "bench GC pauses ms",
    ];

    private sealed record Row(
        string Label,
        double Seconds,
        long Published,
        long Applied,
        int Connected,
        long Pans,
        Percentiles Latency,
        ProcessStatus? Status,
        long? HeapBytes,
        long? LiveHeapBytes,
        double? SiloPauseMs,
        long? SiloGen2,
        double BenchPauseMs);

    public string Name => "soak";

    public string Usage => "soak [--duration 00:10:00] [--rate 1000] [--viewers 200] [--devices 10000] [--interval 60] [--pan-seconds 5] [--view-size 0.02] [--fill 200000] [--broker embedded|mosquitto]";

    public async Task RunAsync(BenchArgs args, BenchReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(report);
        TimeSpan duration = args.Duration("duration", TimeSpan.FromMinutes(10));
        double rate = args.Number("rate", 1000);
        int viewerCount = ScenarioOptions.Positive(args, "viewers", 200);
        int devices = ScenarioOptions.Positive(args, "devices", 10_000);
        TimeSpan interval = args.Duration("interval", TimeSpan.FromMinutes(1));
        TimeSpan pan = args.Duration("pan-seconds", TimeSpan.FromSeconds(5));
        double size = args.Number("view-size", 0.02);
        long fill = args.Size("fill", DefaultFill);
        BrokerKind broker = ScenarioOptions.Broker(args);
        if (rate <= 0)
        {
            throw new BenchUsageException("--rate must be above 0");
        }

        if (size <= 0 || size >= CityDevices.MaxLat - CityDevices.MinLat)
        {
            throw new BenchUsageException(string.Create(CultureInfo.InvariantCulture, $"--view-size must be above 0 and below {CityDevices.MaxLat - CityDevices.MinLat:0.##} degrees (the city's height)"));
        }

        long uplinks = Math.Max(1, (long)(rate * duration.TotalSeconds));
        report.Details["durationSeconds"] = duration.TotalSeconds;
        report.Details["rate"] = rate;
        report.Details["viewers"] = viewerCount;
        report.Details["devices"] = devices;
        report.Details["uplinks"] = uplinks;
        report.Details["intervalSeconds"] = interval.TotalSeconds;
        report.Details["panSeconds"] = pan.TotalSeconds;
        report.Details["viewSizeDegrees"] = size;
        report.Details["broker"] = broker.ToString().ToLowerInvariant();
        report.Details["fill"] = fill;

        await using IngestRig rig = await IngestRig.StartAsync(broker, subscribe: true, "soak", cancellationToken);
        report.Details["siloLog"] = rig.Silo.LogPath;
        await IngestScenario.ProvisionHeardStreetlightsAsync(rig, devices, "warm-up", cancellationToken);
        uint firstFCnt = await FillAsync(rig, devices, fill, cancellationToken);

        Progress.Say($"connecting {viewerCount:N0} viewers to /hubs/city");
        var viewers = new List<PanningViewer>(viewerCount);
        using var stopPanning = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var panLoops = new List<Task>(viewerCount);
        string stamps = Path.Combine(Path.GetTempPath(), $"twincity-bench-soak-stamps-{Environment.ProcessId}-{DateTime.UtcNow.Ticks}.bin");
        try
        {
            for (int i = 0; i < viewerCount; i++)
            {
                PanningViewer viewer = await PanningViewer.ConnectAsync(rig.Silo.BaseUrl, i, size, cancellationToken);
                viewers.Add(viewer);
                await viewer.PanAsync(cancellationToken);
                Progress.Step($"viewers connected {i + 1:N0}/{viewerCount:N0}");
            }

            Progress.Say($"{viewerCount:N0} viewers watch a {size:0.###}° square each and pan every {pan.TotalSeconds:0.#} s; publishing {rate:N0} uplinks/s for {duration}");
            for (int i = 0; i < viewers.Count; i++)
            {
                // Spread the first pans over one pan period so that the hub sees a steady trickle, not waves.
                TimeSpan offset = pan * i / viewers.Count;
                panLoops.Add(PanLoopAsync(viewers[i], offset, pan, stopPanning.Token));
            }

            await RunAndSampleAsync(rig, viewers, devices, firstFCnt, rate, uplinks, duration, interval, stamps, report, cancellationToken);
        }
        finally
        {
            await stopPanning.CancelAsync();
            await Task.WhenAll(panLoops);
            await Task.WhenAll(viewers.Select(v => v.DisposeAsync().AsTask()));
            File.Delete(stamps);
        }
    }

    /// <summary>
    /// Publishes whole rounds of uplinks (one per device each) at full speed until at least
    /// <paramref name="fill"/> went through; returns the frame counter the timed run starts at.
    /// </summary>
    private static async Task<uint> FillAsync(IngestRig rig, int devices, long fill, CancellationToken cancellationToken)
    {
        // The warm-up used frame counter 1.
        const uint AfterWarmUp = 2;
        long rounds = (fill + devices - 1) / devices;
        if (rounds == 0)
        {
            return AfterWarmUp;
        }

        await IngestScenario.PublishAllAsync(rig, "fill", new PublishPlan(rig.MqttPort, devices, rounds * devices, DeviceMix.Streetlights, FirstFCnt: AfterWarmUp), cancellationToken);
        return AfterWarmUp + (uint)rounds;
    }

    private static async Task RunAndSampleAsync(
        IngestRig rig,
        List<PanningViewer> viewers,
        int devices,
        uint firstFCnt,
        double rate,
        long uplinks,
        TimeSpan duration,
        TimeSpan interval,
        string stampsPath,
        BenchReport report,
        CancellationToken cancellationToken)
    {
        long applied0 = await rig.Silo.AppliedAsync(cancellationToken);
        var rows = new List<Row>();
        var all = new List<double>();
        var carried = new List<SeenChange>();
        var clock = Stopwatch.StartNew();
        await using PublisherProcess publisher = PublisherProcess.Start(
            new PublishPlan(rig.MqttPort, devices, uplinks, DeviceMix.Streetlights, rate, firstFCnt, StampsPath: stampsPath, LiveStamps: true).ToArgs());
        long lastPublished = 0;
        long lastApplied = 0;
        long lastPans = 0;
        double lastSeconds = 0;
        TimeSpan nextSample = interval;
        long applied = 0;
        TimeSpan appliedMovedAt = TimeSpan.Zero;
        string? problem = null;
        long published;
        SiloGc? lastGc = await TryGcAsync(rig, cancellationToken);
        TimeSpan lastBenchPause = GC.GetTotalPauseDuration();

        async Task<Row> SampleAsync(string label, long publishedNow)
        {
            double seconds = clock.Elapsed.TotalSeconds;
            var latencies = new List<double>();
            TimeLatencies(viewers, devices, firstFCnt, uplinks, stampsPath, carried, latencies);
            all.AddRange(latencies);
            long pans = viewers.Sum(v => v.Pans);
            SiloGc? gc = await TryGcAsync(rig, cancellationToken);

            // Pauses in this interval, in the silo and in this process (where the viewers take their changes).
            TimeSpan benchPause = GC.GetTotalPauseDuration();
            double? siloPauseMs = gc?.PauseSeconds is double p && lastGc?.PauseSeconds is double p0 ? (p - p0) * 1000 : null;
            long? siloGen2 = gc?.Gen2Collections is long g && lastGc?.Gen2Collections is long g0 ? g - g0 : null;

            var row = new Row(
                label,
                seconds - lastSeconds,
                publishedNow - lastPublished,
                applied - lastApplied,
                viewers.Count(v => !v.Disconnected),
                pans - lastPans,
                new Percentiles(latencies),
                ProcessStatus.Read(rig.Silo.ProcessId),
                gc?.HeapBytes,
                gc?.LiveHeapBytes,
                siloPauseMs,
                siloGen2,
                (benchPause - lastBenchPause).TotalMilliseconds);
            lastGc = gc ?? lastGc;
            lastBenchPause = benchPause;
            lastSeconds = seconds;
            lastPublished = publishedNow;
            lastApplied = applied;
            lastPans = pans;
            rows.Add(row);
            Progress.Say(string.Create(CultureInfo.InvariantCulture,
                $"soak {label}: published {row.Published:N0}, applied {row.Applied:N0}, viewers {row.Connected}, timed {row.Latency.Count:N0}, p99 {row.Latency.At(99):0.0} ms, working set {Mib(row.Status?.ResidentBytes)} MiB, heap {Mib(row.HeapBytes)} MiB, live heap {Mib(row.LiveHeapBytes)} MiB, threads {row.Status?.Threads}"));
            return row;
        }

        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            long now = await rig.Silo.AppliedAsync(cancellationToken) - applied0;
            if (now != applied)
            {
                applied = now;
                appliedMovedAt = clock.Elapsed;
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
            if (rig.Silo.HasExited)
            {
                problem = $"the silo exited: {rig.Silo.LogTail(10)}";
                break;
            }

            Progress.Step(string.Create(CultureInfo.InvariantCulture,
                $"soak {clock.Elapsed:hh\\:mm\\:ss}: published {published:N0}/{uplinks:N0}, applied {applied:N0}, viewers {viewers.Count(v => !v.Disconnected)}/{viewers.Count}"));
            if (finished && applied >= published)
            {
                break;
            }

            if (finished && clock.Elapsed - appliedMovedAt > UplinkRun.StallTimeout)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"applied stood still at {applied:N0} of {published:N0} for {UplinkRun.StallTimeout.TotalSeconds:0} s");
                break;
            }

            // The last row is taken once everything published was applied (or given up on), not at the
            // boundary where publishing ends; a publisher that falls behind still gets a row per interval.
            if (clock.Elapsed >= nextSample)
            {
                if (nextSample < duration || (!finished && nextSample > duration))
                {
                    await SampleAsync(Label(nextSample), published);
                }

                nextSample += interval;
            }
        }

        Row last = await SampleAsync(Label(clock.Elapsed) + " (end)", published);
        double publisherSeconds = publisher.Completion.IsCompletedSuccessfully ? publisher.Completion.Result.Seconds : clock.Elapsed.TotalSeconds;
        long publishFailures = publisher.Completion.IsCompletedSuccessfully ? publisher.Completion.Result.Failed : 0;
        long outside = viewers.Sum(v => v.Outside);
        AddTable(report, rows, all, published, applied, viewers);
        AddFigures(report, rows, all, rate, published, applied, publisherSeconds, viewers, outside, carried.Count);
        if (publishFailures > 0)
        {
            report.Note(string.Create(CultureInfo.InvariantCulture, $"{publishFailures:N0} publishes were not acknowledged by the broker: {publisher.Errors}"));
        }

        if (problem is not null)
        {
            report.Note($"soak: {problem}");
        }

        if (published < uplinks)
        {
            report.Error = string.Create(CultureInfo.InvariantCulture, $"the publisher stopped at {published:N0} of {uplinks:N0} uplinks: {problem ?? publisher.Errors}");
        }

        if (all.Count == 0)
        {
            report.Error ??= "no viewer saw a change it could match to a published uplink";
        }

        report.Details["rows"] = new JsonArray([.. rows.Select(r => (JsonNode?)new JsonObject
        {
            ["label"] = r.Label,
            ["seconds"] = Math.Round(r.Seconds, 3),
            ["published"] = r.Published,
            ["applied"] = r.Applied,
            ["connected"] = r.Connected,
            ["pans"] = r.Pans,
            ["timed"] = r.Latency.Count,
            ["p50Ms"] = Finite(r.Latency.At(50)),
            ["p99Ms"] = Finite(r.Latency.At(99)),
            ["maxMs"] = Finite(r.Latency.Max),
            ["workingSetBytes"] = r.Status?.ResidentBytes,
            ["managedHeapBytes"] = r.HeapBytes,
            ["liveHeapBytes"] = r.LiveHeapBytes,
            ["threads"] = r.Status?.Threads,
            ["siloGcPauseMs"] = r.SiloPauseMs,
            ["siloGen2Collections"] = r.SiloGen2,
            ["benchGcPauseMs"] = Math.Round(r.BenchPauseMs, 3),
        })]);
        report.Details["lastRowSeconds"] = Math.Round(last.Seconds, 3);
    }

    /// <summary>The silo's collector figures; null when it does not answer (no figure in that row: the run fails elsewhere).</summary>
    private static async Task<SiloGc?> TryGcAsync(IngestRig rig, CancellationToken cancellationToken)
    {
        try
        {
            return await rig.Silo.GcAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>
    /// Matches what each viewer received since the last interval to its uplink's publish time. A change
    /// whose stamp is not in the file yet (it can only lag by a write) waits for the next interval.
    /// </summary>
    private static void TimeLatencies(List<PanningViewer> viewers, int devices, uint firstFCnt, long uplinks, string stampsPath, List<SeenChange> carried, List<double> into)
    {
        var pending = new List<SeenChange>(carried);
        carried.Clear();
        foreach (PanningViewer v in viewers)
        {
            pending.AddRange(v.TakeSeen());
        }

        byte[] stamps = ReadStamps(stampsPath);
        foreach (SeenChange s in pending)
        {
            long fCnt = (long)Math.Round((s.EnergyWh - (s.Device % 1000)) / 25.0);
            long k = ((fCnt - firstFCnt) * devices) + s.Device;
            if (fCnt < firstFCnt || k < 0 || k >= uplinks)
            {
                // A change of the warm-up or the fill, or no uplink of this run.
                continue;
            }

            long stamp = (k + 1) * sizeof(long) <= stamps.Length ? BinaryPrimitives.ReadInt64LittleEndian(stamps.AsSpan((int)(k * sizeof(long)))) : 0;
            if (stamp == 0)
            {
                carried.Add(s);
                continue;
            }

            into.Add((s.ReceivedTicks - stamp) / (double)TimeSpan.TicksPerMillisecond);
        }
    }

    private static byte[] ReadStamps(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            byte[] bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            return bytes;
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }

    private static async Task PanLoopAsync(PanningViewer viewer, TimeSpan offset, TimeSpan every, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(offset, cancellationToken);
            using var timer = new PeriodicTimer(every);
            do
            {
                await viewer.PanAsync(cancellationToken);
            }
            while (!viewer.Disconnected && await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    private static void AddTable(BenchReport report, List<Row> rows, List<double> all, long published, long applied, List<PanningViewer> viewers)
    {
        var lines = new List<IReadOnlyList<string>>();
        foreach (Row r in rows)
        {
            lines.Add(
            [
                r.Label, N(r.Published), N(r.Applied), N(r.Connected), N(r.Pans), N(r.Latency.Count),
                Ms(r.Latency.At(50)), Ms(r.Latency.At(99)), Ms(r.Latency.Max),
                Mib(r.Status?.ResidentBytes), Mib(r.HeapBytes), Mib(r.LiveHeapBytes), r.Status is { } s ? N(s.Threads) : "n/a",
                r.SiloPauseMs is double pause ? Ms(pause) : "n/a", r.SiloGen2 is long gen2 ? N(gen2) : "n/a", Ms(r.BenchPauseMs),
            ]);
        }

        var total = new Percentiles(all);
        Row last = rows[^1];
        lines.Add(
        [
            "**whole run**", N(published), N(applied), N(viewers.Count(v => !v.Disconnected)), N(rows.Sum(r => r.Pans)), N(total.Count),
            Ms(total.At(50)), Ms(total.At(99)), Ms(total.Max),
            Mib(last.Status?.ResidentBytes), Mib(last.HeapBytes), Mib(last.LiveHeapBytes), last.Status is { } t ? N(t.Threads) : "n/a",
            Ms(rows.Sum(r => r.SiloPauseMs ?? 0)), N(rows.Sum(r => r.SiloGen2 ?? 0)), Ms(rows.Sum(r => r.BenchPauseMs)),
        ]);
        report.AddTable(new ReportTable(
            "Per interval (published and applied in that interval; latency of the changes viewers got for the area they watched; the silo process sampled at the interval's end):",
            Columns,
            lines));
    }

    private static void AddFigures(
        BenchReport report,
        List<Row> rows,
        List<double> all,
        double rate,
        long published,
        long applied,
        double publisherSeconds,
        List<PanningViewer> viewers,
        long outside,
        long unmatched)
    {
        var total = new Percentiles(all);
        Row first = rows[0];
        Row last = rows[^1];
        int disconnected = viewers.Count(v => v.Disconnected);
        report.Add("soak.offered", "offered rate", rate, "/s", "N0");
        report.Add("soak.kept", "rate the publisher kept", published / publisherSeconds, "/s", "N0");
        report.Add("soak.published", "uplinks published (PUBACK)", published, string.Empty, "N0");
        report.Add("soak.applied", "uplinks applied (ingest count)", applied, string.Empty, "N0");
        report.Add("soak.lost", "uplinks lost (published - applied)", published - applied, string.Empty, "N0", Target.Exactly(0, "0"));
        report.Add("soak.disconnected", "viewers disconnected", disconnected, string.Empty, "N0", Target.Exactly(0, "0"),
            string.Create(CultureInfo.InvariantCulture, $"of {viewers.Count:N0}"));
        report.Add("soak.panFailures", "pans refused or failed (UnwatchArea / WatchArea)", viewers.Sum(v => v.PanFailures), string.Empty, "N0", Target.Exactly(0, "0"));
        report.Add("soak.pans", "pans done", rows.Sum(r => r.Pans), string.Empty, "N0");
        report.Add("soak.timed", "changes timed (viewer watched the twin's area)", total.Count, string.Empty, "N0");
        report.Add("soak.outside", "changes received for a twin outside the viewer's area (not timed)", outside, string.Empty, "N0");
        report.Add("soak.p50", "publish to viewer, p50, whole run", total.At(50), "ms", "0.0");
        report.Add("soak.p99", "publish to viewer, p99, whole run", total.At(99), "ms", "0.0");
        report.Add("soak.max", "publish to viewer, max, whole run", total.Max, "ms", "0.0");
        report.Add("soak.p99.first", "publish to viewer, p99, first interval", first.Latency.At(99), "ms", "0.0");
        report.Add("soak.p99.last", "publish to viewer, p99, last interval", last.Latency.At(99), "ms", "0.0");
        report.Add("soak.p99.ratio", "p99 latency, last interval / first interval", last.Latency.At(99) / first.Latency.At(99), "×", "0.00",
            Target.AtMost(P99RatioTarget, "<= 1.5"));
        Growth(report, "soak.ws", "silo working set", first.Status?.ResidentBytes, last.Status?.ResidentBytes, "MiB");
        // The heap as of the last collection swings with the collector (a gen2 of garbage can wait
        // minutes under server GC); what was live after the latest full collection is what must level.
        Growth(report, "soak.heap", "silo managed heap as of the last collection", first.HeapBytes, last.HeapBytes, "MiB", withTarget: false);
        // The live figure is only the run's own once a full collection has run since the clock
        // started; before that it is what was live during the fill.
        int liveFrom = FirstRowAfterFullCollection([.. rows.Select(r => r.SiloGen2)]);
        Row liveFirst = liveFrom < 0 ? first : rows[liveFrom];
        Growth(report, "soak.liveheap", "silo live heap (after the latest full collection)", liveFirst.LiveHeapBytes, last.LiveHeapBytes, "MiB",
            from: liveFrom <= 0 ? "end of the first interval" : $"first full collection in the run (interval ending {liveFirst.Label})");
        if (liveFrom < 0 && first.LiveHeapBytes is not null && rows.All(r => r.SiloGen2 == 0))
        {
            report.Note("No full collection ran in the silo during the run: its live heap figures are from before the clock started.");
        }

        Growth(report, "soak.threads", "silo threads", first.Status?.Threads, last.Status?.Threads, string.Empty);
        if (unmatched > 0)
        {
            report.Note(string.Create(CultureInfo.InvariantCulture, $"{unmatched:N0} changes seen at the end had no publish stamp and were not timed."));
        }

        if (rows.Count < 2)
        {
            report.Note("The run was shorter than two intervals: first and last interval are the same row, so growth reads 0.");
        }

        double kept = published / publisherSeconds;
        if (kept < rate * 0.95)
        {
            report.Note(string.Create(CultureInfo.InvariantCulture, $"The rig could not offer {rate:N0}/s: the publisher kept {kept:N0}/s."));
        }

        if (first.HeapBytes is null)
        {
            report.Note("The silo's /metrics has no dotnet_gc_last_collection_heap_size (the System.Runtime meter): no managed heap figure.");
        }

        foreach (PanningViewer v in viewers.Where(v => v.Disconnected).Take(3))
        {
            report.Note($"viewer {v.Index} disconnected: {v.DisconnectReason}");
        }

        if (viewers.FirstOrDefault(v => v.FirstPanFailure is not null) is { } failed)
        {
            report.Note($"first failed pan (viewer {failed.Index}): {failed.FirstPanFailure}");
        }
    }

    /// <summary>
    /// The first interval by whose end the silo has run a full collection since the clock started,
    /// given each interval's count of them; -1 when none ran or a count is missing.
    /// </summary>
    public static int FirstRowAfterFullCollection(IReadOnlyList<long?> fullCollectionsPerRow)
    {
        ArgumentNullException.ThrowIfNull(fullCollectionsPerRow);
        for (int i = 0; i < fullCollectionsPerRow.Count; i++)
        {
            if (fullCollectionsPerRow[i] is not long count)
            {
                return -1;
            }

            if (count > 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Growth from the first interval's sample (or the one <paramref name="from"/> names) to the last's, in percent, against the 10 % bound.</summary>
    private static void Growth(BenchReport report, string key, string name, long? first, long? last, string unit, bool withTarget = true, string from = "end of the first interval")
    {
        if (first is not long a || last is not long b || a <= 0)
        {
            return;
        }

        bool mib = unit == "MiB";
        report.Add($"{key}.first", $"{name}, {from}", mib ? a / 1048576.0 : a, unit, mib ? "N1" : "N0");
        report.Add($"{key}.last", $"{name}, end of the run", mib ? b / 1048576.0 : b, unit, mib ? "N1" : "N0");
        report.Add($"{key}.growth", $"{name} growth, {from} to the end", (b - a) * 100.0 / a, "%", "0.0",
            withTarget ? Target.AtMost(GrowthTargetPercent, "<= 10 % after the first interval") : null);
    }

    private static string Label(TimeSpan at) => at.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double value) => double.IsFinite(value) ? value.ToString("0.0", CultureInfo.InvariantCulture) : "–";

    private static string Mib(long? bytes) => bytes is long b ? (b / 1048576.0).ToString("N1", CultureInfo.InvariantCulture) : "n/a";

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 3) : null;
}
