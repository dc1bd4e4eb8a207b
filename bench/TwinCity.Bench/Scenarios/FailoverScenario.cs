using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Load;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Publishing;
using TwinCity.Bench.Reporting;
using TwinCity.Bench.Rig;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Testing;

namespace TwinCity.Bench.Scenarios;

/// <summary>
/// A silo lost under load (issue 20): three silo processes in cluster mode on PostgreSQL and mosquitto,
/// a paced load, and at a set time one silo killed (SIGKILL) and never restarted, or in the other phase
/// stopped (SIGSTOP) and kept stopped. Each phase runs on a cluster of its own (fresh database and
/// broker), after a warm-up that activates every twin.
/// </summary>
/// <remarks>
/// Everything is read after the fact from what the platform kept, not from counters that die with a
/// silo: the history in PostgreSQL (every silo writes it, and acknowledges an uplink only once its row
/// has committed) gives what was lost and, with its rows' times, the rate second by second and how long
/// each uplink waited; each twin's document gives the last frame it applied; the broker says whether the
/// failed silo's session is gone. The stopped silo is let run again at the end of its phase, and should
/// then find itself declared dead and exit.
/// </remarks>
public sealed partial class FailoverScenario : IBenchScenario
{
    /// <summary>From the fault until the survivors are back at the offered rate, at most.</summary>
    public const double BackTargetSeconds = 15;

    /// <summary>Silos in the cluster: one fails, two survive.</summary>
    public const int Silos = 3;

    /// <summary>How long the stopped silo has, once it runs again, to find itself dead and exit.</summary>
    public static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// After the run, before the broker is asked about the failed silo's session: a survivor ends a
    /// session it took over once it has been quiet for 2 s (<c>SessionTakeover</c>).
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    /// <summary>
    /// What the failover silos set beyond the bench's usual: the API's rate limit per key, raised so that
    /// the bench can read every twin's document after the run (10,000 at the default sizes) in seconds,
    /// not at the 200 a second an agency's key gets; and the log lines of ingest's broker session and of
    /// the takeover at Information (a few lines a run), which say when a session was opened or found gone.
    /// </summary>
    private static readonly Dictionary<string, string> PhaseSettings = new()
    {
        ["Access__RateLimit__PermitsPerSecond"] = "100000",
        ["Access__RateLimit__Burst"] = "100000",
        ["Logging__LogLevel__TwinCity.Gateway.Ingest.Mqtt.MqttIngestConsumer"] = "Information",
        ["Logging__LogLevel__TwinCity.Gateway.Ingest.Affinity.SessionTakeover"] = "Information",
    };

    /// <summary>The most rows the second-by-second table shows; the JSON details hold every second.</summary>
    private const int TableRows = 80;

    private const string MembershipPrefix = BenchSilo.SiloEnvironmentPrefix + "Orleans__Membership__";

    public string Name => "failover";

    public string Usage => "failover [--phases kill,stop] [--rate 2000] [--devices 10000] [--duration 90] [--fault-at 30] [--mix city|streetlights] [--ready-to-run]";

    public async Task RunAsync(BenchArgs args, BenchReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        FailoverOptions options = FailoverOptions.Parse(args);
        await ReadyToRunSilo.UseIfAskedAsync(args, report, cancellationToken);
        report.Details["rate"] = options.Rate;
        report.Details["devices"] = options.Devices;
        report.Details["durationSeconds"] = options.Duration;
        report.Details["faultAtSeconds"] = options.FaultAt;
        report.Details["uplinks"] = options.Uplinks;
        var phases = new JsonObject();
        report.Details["phases"] = phases;
        report.Note(MembershipNote());
        report.Note("Recorded means a row in uplink_history: a silo appends an uplink there once its twin has applied it, and acknowledges it to the broker only once that row has committed. An uplink's publish time is its event time (received_at), which the publisher writes as it publishes a paced uplink; its recorded time is the row's inserted_at, PostgreSQL's now() at the start of the history batch's transaction. Both are this machine's clock.");
        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"Back at the offered rate: the end of the first one-second window after the fault (windows end every 0.1 s) in which at least {FailoverTimeline.BackShare:0%} of the offered rate was recorded and nothing published more than a second before the window's end was still unrecorded, so the backlog the fault left is drained. The takeover's delay is the largest publish-to-recorded time of the uplinks published from {FailoverTimeline.BeforeFault:0} s before the fault until then; the steady figures are those of the uplinks published before that."));
        report.Note("Lost: uplinks the broker acknowledged to the publisher with no row in uplink_history (distinct device and frame counter). Last frame: each twin's document (GET /api/v1/twins/{kind}/{id} on the first silo, which never fails) names the frame counter of the last uplink it applied, which should be the last one published to its device.");
        report.Note("The silos run with the API's rate limit per key raised to 100,000 requests a second (Access:RateLimit:PermitsPerSecond and Burst; 200 and 400 by default), so that the bench can read every twin's document once the run is over; while the run is timed the bench makes a few requests a second (/metrics of the survivors).");
        report.Note("Session gone: the bench connects to mosquitto under the failed silo's client id (twincity-{address}-{port}-{generation}) with clean start off and a session expiry of 0 (MQTT 5), and reads the session-present flag of the CONNACK; with that expiry the check leaves no session behind, and a session it finds ends with it, so it is asked once, last.");

        Progress.Say("starting PostgreSQL");
        await using PostgresServer postgres = await PostgresServer.StartAsync(cancellationToken);
        report.Note("PostgreSQL is the test fixture's throwaway server (tests/TwinCity.Testing/PostgresServer.cs), which runs with durability switched off.");
        foreach (SiloFault fault in options.Phases)
        {
            if (!await RunPhaseAsync(fault, options, postgres, report, phases, cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>The frame counter of the last uplink a paced run of <paramref name="published"/> uplinks sent to <paramref name="device"/> (the warm-up's when it sent none).</summary>
    public static uint LastFCnt(int device, int devices, uint firstFCnt, long published) =>
        device < published ? checked(firstFCnt + (uint)((published - 1 - device) / devices)) : firstFCnt - 1;

    /// <summary>
    /// Of the uplinks <c>0 .. published - 1</c> of a paced run (uplink k goes to device k mod N with frame
    /// counter first + k div N), how many have a row in <paramref name="rows"/>, and how many rows are of
    /// no such uplink (one the broker never acknowledged, or none of this run's).
    /// </summary>
    public static (long Distinct, long Outside) Reconcile(IEnumerable<RecordedUplink> rows, int devices, uint firstFCnt, long published)
    {
        ArgumentNullException.ThrowIfNull(rows);
        bool[] seen = new bool[published];
        long distinct = 0;
        long outside = 0;
        foreach (RecordedUplink row in rows)
        {
            ulong device = row.DevEui - CityDevices.DevEuiBase;
            long k = row.DevEui < CityDevices.DevEuiBase || device >= (ulong)devices || row.FCnt < firstFCnt
                ? -1
                : ((long)(row.FCnt - firstFCnt) * devices) + (long)device;
            if (k < 0 || k >= published)
            {
                outside++;
            }
            else if (!seen[k])
            {
                seen[k] = true;
                distinct++;
            }
        }

        return (distinct, outside);
    }

    /// <summary>
    /// Of the messages a session still held (<see cref="BrokerSessionCheck.Held"/>), how many are uplinks
    /// that <paramref name="rows"/> already has, delivered once and left in the session: such a leftover
    /// loses nothing, where one holding uplinks never recorded would; and when the earliest and the latest
    /// of those were published.
    /// </summary>
    public static (long Recorded, DateTime? FirstPublished, DateTime? LastPublished) AlreadyRecorded(IReadOnlyList<byte[]> held, IEnumerable<RecordedUplink> rows)
    {
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(rows);
        if (held.Count == 0)
        {
            return (0, null, null);
        }

        var recorded = new Dictionary<(ulong, uint), DateTime>();
        foreach (RecordedUplink row in rows)
        {
            recorded.TryAdd((row.DevEui, row.FCnt), row.PublishedAt);
        }

        long count = 0;
        DateTime? first = null;
        DateTime? last = null;
        foreach (byte[] payload in held)
        {
            if (ChirpStackParser.TryParse(payload, NetworkEvent.Up, out Envelope envelope, out _) && recorded.TryGetValue((envelope.DevEui, envelope.FCnt), out DateTime published))
            {
                count++;
                first = first is { } f && f <= published ? f : published;
                last = last is { } l && l >= published ? l : published;
            }
        }

        return (count, first, last);
    }

    /// <summary>What the survivor that took the session over logged of it: messages received from the session and applied; null when no such line is there.</summary>
    public static (long Received, long Applied)? TakeoverDrained(string log)
    {
        ArgumentNullException.ThrowIfNull(log);
        Match match = TookOverLine().Match(log);
        return match.Success
            ? (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : null;
    }

    private static async Task<bool> RunPhaseAsync(SiloFault fault, FailoverOptions options, PostgresServer postgres, BenchReport report, JsonObject phases, CancellationToken cancellationToken)
    {
        string name = fault == SiloFault.Kill ? "kill" : "stop";
        string key = $"failover.{name}";
        string signal = FailoverRun.Signal(fault);
        var details = new JsonObject { ["signal"] = signal };
        phases[name] = details;
        string connectionString = await postgres.CreateUniqueDatabaseAsync("failover", cancellationToken);
        await using BenchMosquitto mosquitto = await BenchMosquitto.StartAsync(cancellationToken);
        await using var history = new UplinkHistory(connectionString);
        var silos = new List<BenchSilo>();
        try
        {
            try
            {
                for (int i = 0; i < Silos; i++)
                {
                    Progress.Say($"{name}: starting silo {i + 1} of {Silos}");
                    silos.Add(await BenchSilo.StartAsync(new SiloSettings("127.0.0.1", mosquitto.Port, ConnectionString: connectionString, Name: $"failover-{name}-silo{i + 1}", Settings: PhaseSettings), cancellationToken));
                }

                await ClusterScenario.WaitForMembersAsync(silos[0], Silos, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException)
            {
                report.NotAvailable = $"cluster mode (TwinCity__Mode=Cluster) did not come up with {Silos} silos on this build: {ClusterScenario.FirstLine(ex.Message)}";
                report.Details["clusterFailure"] = ex.Message;
                return false;
            }

            // The first silo answers every question; the last one fails.
            BenchSilo query = silos[0];
            BenchSilo failing = silos[^1];
            BenchSilo[] survivors = [.. silos.Take(Silos - 1)];
            string address = (await query.MembersAsync(cancellationToken))
                .Where(m => m.Status == "active" && m.Address.Contains(string.Create(CultureInfo.InvariantCulture, $":{failing.SiloPort}:"), StringComparison.Ordinal))
                .Select(m => m.Address)
                .FirstOrDefault() ?? throw new InvalidOperationException($"GET /api/v1/cluster lists no active silo on port {failing.SiloPort}");
            string clientId = BrokerSession.ClusterClientId(BenchSilo.SharedGroup, address);
            details["failingSilo"] = address;
            details["failingClientId"] = clientId;
            details["siloLogs"] = new JsonArray([.. silos.Select(s => (JsonNode?)JsonValue.Create(s.LogPath))]);

            await IngestScenario.ProvisionAsync(query, options.Devices, options.Mix, cancellationToken);
            var load = new ClusterLoad(silos, mosquitto, PostgresProcesses.FindPostmaster(postgres.Port));
            UplinkRunResult warm = await UplinkRun.RunAsync(
                $"{name} warm-up", new PublishPlan(mosquitto.Port, options.Devices, options.Devices, options.Mix), query.AppliedAsync, load.TotalCpuSeconds, TimeSpan.FromSeconds(1), cancellationToken);
            details["warmup"] = IngestScenario.Describe(warm);
            IngestScenario.AddWarmupFigures(report, warm, key, name);

            uint first = UplinkRun.FirstFCntAfter(options.Devices, options.Devices);
            var plan = new PublishPlan(mosquitto.Port, options.Devices, options.Uplinks, options.Mix, options.Rate, first);
            Progress.Say(string.Create(CultureInfo.InvariantCulture, $"{name}: {options.Rate:N0} uplinks/s over {options.Devices:N0} devices for {options.Duration:0.#} s; {signal} to silo {Silos} ({address}) at {options.FaultAt:0.#} s"));
            FailoverRunResult run = await FailoverRun.RunAsync(name, plan, options.FaultAt, fault, failing, survivors, history, cancellationToken);
            if (run.Problem is not null)
            {
                report.Note($"{name}: {run.Problem}");
            }

            if (run.Fault is not DateTime faultUtc || run.FirstPublish is not DateTime firstPublish)
            {
                report.Error = $"{name}: {run.Problem ?? "the fault never came"}";
                return false;
            }

            // The session is asked about once, after the survivor that took it over has ended it.
            DateTime? takeoverSeen = run.TakeoverSeen ?? await WaitForTakeoverAsync(survivors, faultUtc, cancellationToken);
            await Task.Delay(Settle, cancellationToken);
            long takeovers = await FailoverRun.TakeoversAsync(survivors, cancellationToken);
            (bool Exited, double Seconds, int? Code, bool SaidDead)? thawed = null;
            if (fault == SiloFault.Stop)
            {
                thawed = await ThawAsync(failing);
            }

            BrokerSessionCheck session = await BrokerSession.CheckAsync(mosquitto.Port, clientId, cancellationToken);
            bool declaredDead = (await query.MembersAsync(cancellationToken)).Any(m => m.Address == address && m.Status == "dead");
            (long mismatched, IReadOnlyList<string> examples) = await CheckLastFramesAsync(query, options, first, run.Published, cancellationToken);
            IReadOnlyList<RecordedUplink> rows = await history.ReadFromAsync(first, cancellationToken);
            (long distinct, long outside) = Reconcile(rows, options.Devices, first, run.Published);
            FailoverTimeline timeline = FailoverTimeline.Compute(
                [.. rows.Select(r => ((r.PublishedAt - firstPublish).TotalSeconds, (r.RecordedAt - firstPublish).TotalSeconds))],
                (faultUtc - firstPublish).TotalSeconds,
                options.Rate);
            (long Received, long Applied)? drained = survivors.Select(s => TakeoverDrained(s.ReadLog())).FirstOrDefault(d => d is not null);
            (long heldRecorded, DateTime? heldFirst, DateTime? heldLast) = AlreadyRecorded(session.Held, rows);
            (long, double?, double?) held = (heldRecorded, Relative(heldFirst, firstPublish), Relative(heldLast, firstPublish));

            AddPhaseFigures(report, key, name, signal, options, run, timeline, takeoverSeen, takeovers, drained, distinct, outside, mismatched, examples, session, held, declaredDead, thawed);
            AddPhaseTable(report, name, timeline);
            Describe(details, run, timeline, takeoverSeen, takeovers, drained, distinct, outside, mismatched, examples, session, held, declaredDead, thawed);
            return true;
        }
        finally
        {
            foreach (BenchSilo silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    /// <summary>When the run ended before a survivor was seen to take the session over: waits for it, up to <see cref="FailoverRun.TakeoverWait"/> after the fault.</summary>
    private static async Task<DateTime?> WaitForTakeoverAsync(IReadOnlyList<BenchSilo> survivors, DateTime fault, CancellationToken cancellationToken)
    {
        Progress.Say("waiting for a survivor to take the failed silo's session over");
        while (DateTime.UtcNow - fault < FailoverRun.TakeoverWait)
        {
            if (await FailoverRun.TakeoversAsync(survivors, cancellationToken) > 0)
            {
                return DateTime.UtcNow;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        return null;
    }

    /// <summary>Lets the stopped silo run again and waits for it to exit by itself, as one the cluster declared dead should.</summary>
    private static async Task<(bool Exited, double Seconds, int? Code, bool SaidDead)> ThawAsync(BenchSilo silo)
    {
        Progress.Say($"SIGCONT to the stopped silo (pid {silo.ProcessId}); waiting up to {ExitWait.TotalSeconds:0} s for it to exit by itself");
        var clock = Stopwatch.StartNew();
        silo.Thaw();
        bool exited = await silo.WaitForExitAsync(ExitWait);
        double seconds = clock.Elapsed.TotalSeconds;
        string log = silo.ReadLog();
        int thawedAt = log.LastIndexOf("[sent SIGCONT]", StringComparison.Ordinal);
        // Orleans' own words when it stops a silo the table calls dead, or ingest's when it refuses to reopen its session.
        bool saidDead = thawedAt >= 0
            && (log.IndexOf("I have been told I am dead", thawedAt, StringComparison.Ordinal) >= 0
                || log.IndexOf("declared this silo dead", thawedAt, StringComparison.Ordinal) >= 0);
        return (exited, seconds, silo.ExitCode, saidDead);
    }

    /// <summary>Reads every twin's document and counts those whose last applied frame is not the last one published to their device.</summary>
    private static async Task<(long Mismatched, IReadOnlyList<string> Examples)> CheckLastFramesAsync(BenchSilo query, FailoverOptions options, uint first, long published, CancellationToken cancellationToken)
    {
        Progress.Say($"reading {options.Devices:N0} twins for their last frame");
        BenchDevice[] devices = CityDevices.Create(options.Devices, options.Mix);
        long mismatched = 0;
        var examples = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (device, token) =>
        {
            uint expected = LastFCnt(device.Index, options.Devices, first, published);
            uint? applied = await query.TwinFCntAsync(device, token);
            if (applied != expected)
            {
                Interlocked.Increment(ref mismatched);
                if (examples.Count < 5)
                {
                    examples.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{device.Kind.ToUrlName()}/{device.TwinId}: frame {applied?.ToString(CultureInfo.InvariantCulture) ?? "none"}, last published {expected}"));
                }
            }
        });
        return (mismatched, [.. examples]);
    }

    private static void AddPhaseFigures(
        BenchReport report,
        string key,
        string name,
        string signal,
        FailoverOptions options,
        FailoverRunResult run,
        FailoverTimeline timeline,
        DateTime? takeoverSeen,
        long takeovers,
        (long Received, long Applied)? drained,
        long distinct,
        long outside,
        long mismatched,
        IReadOnlyList<string> examples,
        BrokerSessionCheck session,
        (long Recorded, double? First, double? Last) held,
        bool declaredDead,
        (bool Exited, double Seconds, int? Code, bool SaidDead)? thawed)
    {
        var c = CultureInfo.InvariantCulture;
        DateTime fault = run.Fault!.Value;
        double kept = run.Published / (double.IsFinite(run.PublisherSeconds) && run.PublisherSeconds > 0 ? run.PublisherSeconds : options.Duration);
        report.Add($"{key}.published", $"{name}: uplinks published (acknowledged by mosquitto)", run.Published, string.Empty, "N0", null,
            string.Create(c, $"{options.Rate:N0} /s offered over {options.Devices:N0} devices for {options.Duration:0.#} s; the publisher kept {kept:N0} /s"));
        report.Add($"{key}.faultAt", $"{name}: {signal} to silo {Silos} of {Silos}, seconds after the first publish", timeline.FaultAt, "s", "0.00");
        if (takeoverSeen is DateTime seen)
        {
            report.Add($"{key}.takeoverSeen", $"{name}: a survivor took the failed silo's session over, seconds after the fault (its /metrics, polled each second)", (seen - fault).TotalSeconds, "s", "0.0", null,
                drained is { } d ? string.Create(c, $"its log: {d.Received:N0} messages received from the session, {d.Applied:N0} applied") : "no line of its log says what it drained");
        }
        else
        {
            report.AddUnavailable($"{key}.takeoverSeen", $"{name}: a survivor took the failed silo's session over", string.Create(c, $"no survivor's twincity_ingest_takeovers_total moved within {FailoverRun.TakeoverWait.TotalSeconds:0} s of the fault"));
        }

        report.Add($"{key}.takeovers", $"{name}: sessions taken over (twincity_ingest_takeovers_total over the survivors)", takeovers, string.Empty, "N0", Target.Exactly(1, "1"));
        string backName = $"{name}: survivors back at the offered rate, seconds after the fault";
        if (timeline.BackAfter is double back)
        {
            report.Add($"{key}.back", backName, back, "s", "0.0", Target.AtMost(BackTargetSeconds, "<= 15 s"),
                string.Create(c, $"window ending {timeline.BackAt:0.0} s after the first publish"));
        }
        else
        {
            report.AddNotReached($"{key}.back", backName, "never", Target.AtMost(BackTargetSeconds, "<= 15 s"),
                "no one-second window after the fault recorded the offered rate with the backlog drained");
        }

        if (timeline.Slowest is { } slowest)
        {
            report.Add($"{key}.maxDelay", $"{name}: largest publish-to-recorded delay during the takeover", timeline.MaxDelay, "s", "0.00", null,
                string.Create(c, $"an uplink published {slowest.Published - timeline.FaultAt:+0.00;-0.00} s from the fault, recorded {slowest.Recorded - timeline.FaultAt:0.00} s after it; before: max {timeline.SteadyMaxDelay * 1000:0} ms, p99 {timeline.SteadyP99Delay * 1000:0} ms"));
        }
        else
        {
            report.AddUnavailable($"{key}.maxDelay", $"{name}: largest publish-to-recorded delay during the takeover", "no uplink published from the fault on was recorded");
        }

        string lostNote = outside > 0 ? string.Create(c, $"{outside:N0} rows of no acknowledged uplink") : string.Empty;
        if (run.PublishFailures > 0)
        {
            lostNote = string.Create(c, $"{run.PublishFailures:N0} publishes not acknowledged; ") + lostNote;
        }

        report.Add($"{key}.lost", string.Create(c, $"{name}: uplinks lost (published {run.Published:N0} - distinct in uplink_history {distinct:N0})"), run.Published - distinct, string.Empty, "N0", Target.Exactly(0, "0"),
            lostNote.Length > 0 ? lostNote.TrimEnd(' ', ';') : null);
        report.Add($"{key}.lastFrame", string.Create(c, $"{name}: twins whose last applied frame is not the last published to them (of {options.Devices:N0})"), mismatched, string.Empty, "N0", Target.Exactly(0, "0"),
            examples.Count > 0 ? string.Join("; ", examples) : null);
        report.AddCheck($"{key}.sessionGone", $"{name}: the failed silo's session is gone from the broker", !session.Present, expected: true,
            !session.Present
                ? session.ClientId
                : session.MessagesHeld == 0
                    ? $"{session.ClientId} was still there, holding no message"
                    : string.Create(c, $"{session.ClientId} was still there, holding at least {session.MessagesHeld:N0} messages, {held.Recorded:N0} of them uplinks already in uplink_history") + HeldSpan(timeline, held));
        report.AddCheck($"{key}.declaredDead", $"{name}: the failed silo is dead in the membership table", declaredDead, expected: true);
        if (thawed is { } t)
        {
            report.AddCheck($"{key}.exited", $"{name}: the stopped silo, let run again (SIGCONT), exited by itself", t.Exited, expected: true,
                t.Exited
                    ? string.Create(c, $"{t.Seconds:0.0} s after SIGCONT, exit code {t.Code}; its log {(t.SaidDead ? "says" : "does not say")} it was told it is dead")
                    : string.Create(c, $"still running {ExitWait.TotalSeconds:0} s after SIGCONT"));
        }
    }

    /// <summary>
    /// The seconds around the fault, from two before it to three after the survivors were back (or twenty
    /// after it when they never were), at most <see cref="TableRows"/> rows; a stretch of seconds in which
    /// nothing was recorded is one row, with what was published in all of it.
    /// </summary>
    private static void AddPhaseTable(BenchReport report, string name, FailoverTimeline timeline)
    {
        if (timeline.Seconds.Count == 0)
        {
            return;
        }

        var c = CultureInfo.InvariantCulture;
        int fault = (int)Math.Floor(timeline.FaultAt);
        int back = timeline.BackAt is double b ? (int)Math.Floor(b - 1e-9) : -1;
        int from = Math.Max(0, fault - 2);
        int to = Math.Min(timeline.Seconds.Count - 1, (back >= 0 ? back : fault + 20) + 3);
        var rows = new List<IReadOnlyList<string>>();
        for (int i = from; i <= to && rows.Count < TableRows; i++)
        {
            FailoverSecond s = timeline.Seconds[i];
            int last = i;
            long published = s.Published;
            while (s.Recorded == 0 && last + 1 <= to && last + 1 != fault && last + 1 != back && timeline.Seconds[last + 1].Recorded == 0)
            {
                last++;
                published += timeline.Seconds[last].Published;
            }

            string label = last > i ? string.Create(c, $"{i} to {last}") : i.ToString(c);
            if (i == fault)
            {
                label += string.Create(c, $" (fault at {timeline.FaultAt:0.00})");
            }

            if (i == back)
            {
                label += string.Create(c, $" (back at rate by {timeline.BackAt:0.0})");
            }

            FailoverSecond end = timeline.Seconds[last];
            rows.Add([label, published.ToString("N0", c), s.Recorded.ToString("N0", c), end.Backlog.ToString("N0", c), double.IsNaN(s.MaxDelay) ? "" : (s.MaxDelay * 1000).ToString("N0", c)]);
            i = last;
        }

        report.AddTable(new ReportTable(
            $"{name}: second by second around the fault (seconds from the first publish; a stretch with nothing recorded is one row; the whole run is in the JSON details)",
            ["second", "published", "recorded", "backlog at its end", "longest wait of those recorded, ms"],
            rows));
    }

    private static void Describe(
        JsonObject details,
        FailoverRunResult run,
        FailoverTimeline timeline,
        DateTime? takeoverSeen,
        long takeovers,
        (long Received, long Applied)? drained,
        long distinct,
        long outside,
        long mismatched,
        IReadOnlyList<string> examples,
        BrokerSessionCheck session,
        (long Recorded, double? First, double? Last) held,
        bool declaredDead,
        (bool Exited, double Seconds, int? Code, bool SaidDead)? thawed)
    {
        DateTime fault = run.Fault!.Value;
        details["published"] = run.Published;
        details["publishFailures"] = run.PublishFailures;
        details["publisherSeconds"] = double.IsFinite(run.PublisherSeconds) ? run.PublisherSeconds : null;
        details["firstPublishUtc"] = run.FirstPublish?.ToString("O", CultureInfo.InvariantCulture);
        details["faultUtc"] = fault.ToString("O", CultureInfo.InvariantCulture);
        details["faultAtSeconds"] = Math.Round(timeline.FaultAt, 3);
        details["takeoverSeenAfterSeconds"] = takeoverSeen is DateTime seen ? Math.Round((seen - fault).TotalSeconds, 1) : null;
        details["takeovers"] = takeovers;
        details["takeoverReceived"] = drained?.Received;
        details["takeoverApplied"] = drained?.Applied;
        details["backAfterSeconds"] = timeline.BackAfter is double back ? Math.Round(back, 1) : null;
        details["maxDelaySeconds"] = double.IsFinite(timeline.MaxDelay) ? Math.Round(timeline.MaxDelay, 3) : null;
        details["steadyMaxDelaySeconds"] = double.IsFinite(timeline.SteadyMaxDelay) ? Math.Round(timeline.SteadyMaxDelay, 3) : null;
        details["steadyP99DelaySeconds"] = double.IsFinite(timeline.SteadyP99Delay) ? Math.Round(timeline.SteadyP99Delay, 3) : null;
        details["recordedDistinct"] = distinct;
        details["recordedOutside"] = outside;
        details["lost"] = run.Published - distinct;
        details["lastFrameMismatches"] = mismatched;
        details["lastFrameExamples"] = new JsonArray([.. examples.Select(e => (JsonNode?)JsonValue.Create(e))]);
        details["sessionPresent"] = session.Present;
        details["sessionMessagesHeld"] = session.MessagesHeld;
        details["sessionMessagesHeldAlreadyRecorded"] = held.Recorded;
        details["sessionHeldPublishedFromSeconds"] = held.First is double from ? Math.Round(from, 3) : null;
        details["sessionHeldPublishedToSeconds"] = held.Last is double to ? Math.Round(to, 3) : null;
        details["declaredDead"] = declaredDead;
        if (thawed is { } t)
        {
            details["exitedAfterThaw"] = t.Exited;
            details["exitSecondsAfterThaw"] = Math.Round(t.Seconds, 1);
            details["exitCode"] = t.Code;
            details["logSaysDeclaredDead"] = t.SaidDead;
        }

        details["problem"] = run.Problem;
        details["seconds"] = new JsonArray([.. timeline.Seconds.Select(s => (JsonNode?)new JsonArray(
            s.Second, s.Published, s.Recorded, s.Backlog, double.IsNaN(s.MaxDelay) ? null : Math.Round(s.MaxDelay * 1000, 1)))]);
        details["secondsColumns"] = new JsonArray("second", "published", "recorded", "backlogAtEnd", "maxDelayMs");
    }

    /// <summary>When the held uplinks already recorded were published, against the fault; empty when there were none.</summary>
    private static string HeldSpan(FailoverTimeline timeline, (long Recorded, double? First, double? Last) held) =>
        held is { First: double first, Last: double last }
            ? string.Create(CultureInfo.InvariantCulture, $", published from {first - timeline.FaultAt:+0.0;-0.0} to {last - timeline.FaultAt:+0.0;-0.0} s from the fault")
            : string.Empty;

    private static double? Relative(DateTime? at, DateTime? origin) => at is DateTime a && origin is DateTime o ? (a - o).TotalSeconds : null;

    /// <summary>What the silos' membership ran with: Orleans' defaults unless the bench's environment passes settings on.</summary>
    private static string MembershipNote()
    {
        string[] given = [.. Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(k => k.StartsWith(MembershipPrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(k => $"{k[BenchSilo.SiloEnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)}={Environment.GetEnvironmentVariable(k)}")];
        return given.Length == 0
            ? "Membership: the silos ran with Orleans' defaults, as an operator gets them without Orleans:Membership settings (README): an initial probe timeout of 5 s (ProbeTimeout), a silo suspected after 3 missed probes (NumMissedProbesLimit) and declared dead on 2 votes (NumVotesForDeathDeclaration). To time an operator's tuning, put it in the bench's environment, e.g. TWINCITY_BENCH_SILO_Orleans__Membership__ProbeTimeout=00:00:02."
            : $"Membership: the silos ran with Orleans' defaults except {string.Join(", ", given)} (from the bench's environment).";
    }

    [GeneratedRegex(@"is taken over and ended: (\d+) messages received, (\d+) applied")]
    private static partial Regex TookOverLine();
}
