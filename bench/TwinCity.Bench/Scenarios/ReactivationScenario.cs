using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Load;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Publishing;
using TwinCity.Bench.Reporting;
using TwinCity.Bench.Rig;
using TwinCity.Testing;

namespace TwinCity.Bench.Scenarios;

/// <summary>
/// A whole cluster restarted: silos in cluster mode on PostgreSQL and mosquitto, the devices
/// provisioned (each twin's snapshot written), every silo stopped (SIGTERM) and as many started
/// again, and then one new uplink per device. Every twin must wake (directory, snapshot, history
/// since the snapshot) to apply it; the figure is how many twins a second that takes, from the
/// first publish to the last history row written (PostgreSQL's own insert times), and what it cost
/// in CPU and messages between silos per twin; and, once every twin is awake, the managed heap
/// they added per twin, live after a full collection, summed over the silos.
/// </summary>
/// <remarks>
/// <c>--silos 1,3</c> restarts the same city once with each count in turn (after one provisioning
/// by as many silos as the largest count), each restart with its own frame. With
/// <c>--cpu-per-silo</c> each restarted silo runs in a cpu cgroup of its own, as in the
/// <c>cluster</c> scenario: a stand-in for a machine per silo, and the report says how the wake's
/// rate grows with the silos. On a machine with a few cores and no cap, more silos only share them.
/// </remarks>
public sealed class ReactivationScenario : IBenchScenario
{
    /// <summary>Twins woken and applying an uplink per second after a full restart.</summary>
    public const double RateTarget = 10_000;

    public string Name => "reactivation";

    public string Usage => "reactivation [--silos 3|1,3] [--devices 100000] [--mix city] [--restarts 1] [--uplinks-before 0] [--cpu-per-silo CORES [--cpu-period-ms 100]] [--no-jit-profile] [--hold 0] [--ready-to-run] [--wake-first]";

    public async Task RunAsync(BenchArgs args, BenchReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(report);
        long[] counts = args.LongList("silos", "3");
        int devices = ScenarioOptions.Positive(args, "devices", 100_000);
        DeviceMix mix = ScenarioOptions.Mix(args, DeviceMix.City);
        int hold = args.Count("hold", 0);
        bool wakeFirst = args.Flag("wake-first");

        // Uplinks (one per device, at most) the city takes before its first restart; by default none.
        int uplinksBefore = Math.Min(args.Count("uplinks-before", 0), devices);

        // Restarts in a row for each silo count (by default one): the first restart's silos follow
        // silos that only provisioned the city; a second's follow silos that woke it, and so find the
        // code for it in their JIT profiles, as a city restarted before would. The last restart's
        // figures are held against the targets.
        int restarts = ScenarioOptions.Positive(args, "restarts", 1);
        bool jitProfile = !args.Flag("no-jit-profile");
        (double? cap, long period) = ClusterScenario.CpuCap(args);

        await ReadyToRunSilo.UseIfAskedAsync(args, report, cancellationToken);
        report.Details["silos"] = counts.Length == 1 ? counts[0] : new JsonArray([.. counts.Select(c => (JsonNode)c)]);
        report.Details["devices"] = devices;
        report.Details["uplinksBefore"] = uplinksBefore;
        report.Details["restarts"] = restarts;
        report.Details["jitProfile"] = jitProfile;
        report.Details["cpuPerSilo"] = cap;
        report.Details["cpuPeriodMicroseconds"] = cap is null ? null : period;

        if (cap is double cores)
        {
            if (ClusterScenario.RefusedUncapped(report, cores))
            {
                return;
            }

            report.Note(string.Create(CultureInfo.InvariantCulture,
                $"Capped: each silo started for a restart ran in a cgroup v1 cpu cgroup of its own ({CpuCgroup.BenchRoot}/<silo>, cpu.cfs_quota_us={CpuCgroup.QuotaFor(cores, period)} per cpu.cfs_period_us={period}), {cores:0.##} of a core, as a stand-in for one machine per silo; the silos that provisioned the city, mosquitto, PostgreSQL and the publisher ran uncapped, on the same {Environment.ProcessorCount} cores."));
        }

        Progress.Say("starting PostgreSQL");
        await using PostgresServer postgres = await PostgresServer.StartAsync(cancellationToken);
        int postmaster = PostgresProcesses.FindPostmaster(postgres.Port);
        string connectionString = await postgres.CreateUniqueDatabaseAsync("bench", cancellationToken);
        await using BenchMosquitto mosquitto = await BenchMosquitto.StartAsync(cancellationToken);

        // Silo i after the restart reads the JIT profile silo i wrote as it stopped: a directory of
        // this run's own, so that no earlier run's profile is played.
        string? profiles = jitProfile ? Directory.CreateTempSubdirectory("twincity-bench-jit-").FullName : null;
        try
        {
            var run = new Run(counts, devices, mix, uplinksBefore, restarts, profiles, cap, period, hold, wakeFirst, postmaster, connectionString, mosquitto, report);
            await RunAsync(run, cancellationToken);
        }
        finally
        {
            if (profiles is not null)
            {
                Directory.Delete(profiles, recursive: true);
            }

            if (cap is not null)
            {
                CpuCgroup.RemoveBenchRootIfEmpty();
            }
        }
    }

    /// <summary>What one run of the scenario was asked to do, and where.</summary>
    private sealed record Run(
        long[] Counts, int Devices, DeviceMix Mix, int UplinksBefore, int Restarts, string? Profiles, double? Cap, long Period, int Hold, bool WakeFirst,
        int Postmaster, string ConnectionString, BenchMosquitto Mosquitto, BenchReport Report);

    /// <summary>Silos started together, and the cgroups they run in when capped (removed once the silos are gone).</summary>
    private sealed record SiloGroup(List<BenchSilo> Silos, List<CpuCgroup> Cgroups);

    private static async Task RunAsync(Run run, CancellationToken cancellationToken)
    {
        BenchReport report = run.Report;
        int most = (int)run.Counts.Max();
        SiloGroup first = await StartSilosAsync(run, most, capped: false, "before the restart", "before", cancellationToken);
        var clock = Stopwatch.StartNew();
        double provisioning;
        try
        {
            await IngestScenario.ProvisionAsync(first.Silos[0], run.Devices, run.Mix, cancellationToken);
            provisioning = clock.Elapsed.TotalSeconds;
            if (run.UplinksBefore > 0)
            {
                UplinkRunResult heard = await UplinkRun.RunAsync(
                    $"the city before the restart: {run.UplinksBefore:N0} uplinks",
                    new PublishPlan(run.Mosquitto.Port, run.Devices, run.UplinksBefore, run.Mix, FirstFCnt: 1),
                    ct => HistoryRowsAsync(run.ConnectionString, 1, ct),
                    new ClusterLoad(first.Silos, run.Mosquitto, run.Postmaster).TotalCpuSeconds,
                    TimeSpan.FromSeconds(1),
                    null,
                    cancellationToken);
                if (heard.Problem is not null)
                {
                    report.Note("Before the restart: " + heard.Problem);
                }
            }
        }
        catch
        {
            await StopAsync(first);
            throw;
        }

        report.Add("reactivation.provisioning", $"{most} silo(s): devices provisioned per second (registration and twin snapshot each)", run.Devices / provisioning, "/s", "N0", null,
            string.Create(CultureInfo.InvariantCulture, $"{run.Devices:N0} devices in {provisioning:0.0} s"));

        clock.Restart();
        await StopAsync(first);
        report.Add("reactivation.stop", $"{most} silo(s) stopped with SIGTERM, one after another: seconds", clock.Elapsed.TotalSeconds, "s", "0.0");

        // Each restart's uplinks carry the next frame counter, and only they are counted for it.
        uint frame = run.UplinksBefore > 0 ? 2u : 1u;
        var rates = new Dictionary<long, double>();
        for (int c = 0; c < run.Counts.Length; c++)
        {
            int n = (int)run.Counts[c];
            string prefix = run.Counts.Length == 1 ? "reactivation" : $"reactivation.{n}";
            for (int restart = 1; restart <= run.Restarts; restart++, frame++)
            {
                bool lastOfCount = restart == run.Restarts;
                bool last = lastOfCount && c == run.Counts.Length - 1;
                string tag = run.Counts.Length == 1 ? $"after{restart}" : $"{n}.after{restart}";
                SiloGroup again = await StartSilosAsync(run, n, capped: true, $"after restart {restart}", tag, cancellationToken);
                try
                {
                    var phase = new Phase(again, lastOfCount ? prefix : $"{prefix}.restart{restart}", restart, lastOfCount, last, frame);
                    double rate = await RestartAsync(run, phase, cancellationToken);
                    if (lastOfCount)
                    {
                        rates[n] = rate;
                    }

                    if (last && run.Hold > 0)
                    {
                        // For a look inside while every twin is awake: a heap dump (dotnet-gcdump collect -p PID), the silos' /metrics.
                        Progress.Say($"reactivation: holding the silos for {run.Hold} s (process ids {string.Join(", ", again.Silos.Select(s => s.ProcessId))})");
                        await Task.Delay(TimeSpan.FromSeconds(run.Hold), cancellationToken);
                    }
                }
                finally
                {
                    await StopAsync(again);
                }
            }
        }

        AddScaling(report, rates, run.Cap);
        report.Note("The rate runs from the first publish to the latest inserted_at of the history (PostgreSQL's clock on this machine), so it counts each twin's wake, its uplink and the durable write of its history row; starting the silos is not in it.");
        report.Note(run.UplinksBefore > 0
            ? string.Create(CultureInfo.InvariantCulture, $"Before the first restart the city took {run.UplinksBefore:N0} uplinks (frame 1).")
            : "The city was provisioned and restarted without taking an uplink first.");
        if (run.Counts.Length > 1)
        {
            report.Note(string.Create(CultureInfo.InvariantCulture, $"The same city was restarted with {string.Join(", then ", run.Counts)} silo(s), each time with one new uplink per device; each count's figures carry its number."));
        }

        if (run.Restarts > 1)
        {
            report.Note(string.Create(CultureInfo.InvariantCulture, $"The city was restarted {run.Restarts} times in a row for each silo count, each time with one new uplink per device; the figures without a restart number are the last restart's, those with one are the earlier restarts'. The first restart's silos follow silos that only provisioned the city; each later restart's follow silos that woke it."));
        }

        report.Note(run.Profiles is not null
            ? "Each silo kept a JIT profile (JitProfile:Directory, as the README asks of cluster silos): after a restart it compiled, on a thread of its own from its start, the methods its predecessor had compiled."
            : "The silos kept no JIT profile (--no-jit-profile): after each restart they compiled their code as it first ran.");
    }

    /// <summary>
    /// The rate with n silos over the rate with one. With each silo capped it is held to the same
    /// target as the <c>cluster</c> scenario's (five sixths of the count: 2.5 for 3); uncapped, the
    /// silos share this machine's cores and the row carries no target.
    /// </summary>
    private static void AddScaling(BenchReport report, Dictionary<long, double> rates, double? cap)
    {
        if (rates.Count < 2)
        {
            return;
        }

        if (!rates.TryGetValue(1, out double one))
        {
            report.Note("The rows comparing silo counts need 1 among --silos.");
            return;
        }

        foreach (long n in rates.Keys.Where(k => k > 1).Order())
        {
            double target = ClusterScenario.ScalingTarget(n);
            report.Add($"reactivation.scaling.{n}", $"rate with {n} silos / rate with 1 silo{(cap is null ? ", sharing this machine's cores" : ", each capped")}", rates[n] / one, string.Empty, "0.00",
                cap is null ? null : Target.AtLeast(target, string.Create(CultureInfo.InvariantCulture, $">= {target:0.##}")),
                string.Create(CultureInfo.InvariantCulture, $"{rates[n]:N0} against {one:N0} twins /s"));
        }
    }

    /// <summary>One restart: its silos, the key its figures go under, and its frame.</summary>
    private sealed record Phase(SiloGroup Group, string Key, int Restart, bool LastOfCount, bool Last, uint Frame);

    /// <summary>One restart measured: one uplink per device to silos just started, until every twin has applied it. Returns the rate.</summary>
    private static async Task<double> RestartAsync(Run run, Phase phase, CancellationToken cancellationToken)
    {
        BenchReport report = run.Report;
        List<BenchSilo> silos = phase.Group.Silos;
        int n = silos.Count;
        string key = phase.Key;
        string which = phase.LastOfCount ? "" : string.Create(CultureInfo.InvariantCulture, $" (restart {phase.Restart})");
        string who = run.Cap is double cores
            ? string.Create(CultureInfo.InvariantCulture, $"{n} silo(s) at {cores:0.##} of a core each")
            : $"{n} silo(s)";
        long liveBefore = phase.Last ? await LiveHeapAsync(silos, cancellationToken) : 0;
        var load = new ClusterLoad(silos, run.Mosquitto, run.Postmaster);
        if (run.WakeFirst && phase.Last)
        {
            await WakeAloneAsync(silos, load, run.Devices, report, cancellationToken);
        }

        var window = new ClusterWindow(load, phase.Group.Cgroups);
        DateTime started = DateTime.UtcNow;
        UplinkRunResult result = await UplinkRun.RunAsync(
            $"re-activation {phase.Restart} of {run.Devices:N0} twins on {n} silo(s)",
            new PublishPlan(run.Mosquitto.Port, run.Devices, run.Devices, run.Mix, FirstFCnt: phase.Frame),
            ct => HistoryRowsAsync(run.ConnectionString, phase.Frame, ct),
            load.TotalCpuSeconds,
            TimeSpan.FromSeconds(1),
            window,
            cancellationToken);
        (long rows, DateTime? lastRow) = await LastRowAsync(run.ConnectionString, phase.Frame, cancellationToken);
        report.Details[key == "reactivation" ? "run" : "run" + key["reactivation".Length..]] = IngestScenario.Describe(result);

        // A capped silo is not meant to reach the platform's rate alone: how the rate grows with the silos is what the capped run asks.
        double seconds = lastRow is DateTime at ? (at - started).TotalSeconds : double.NaN;
        double rate = rows / seconds;
        report.Add(key + ".rate", $"{who} after a full restart{which}: twins woken and applying one uplink per second", rate, "/s", "N0",
            phase.LastOfCount && run.Cap is null ? Target.AtLeast(RateTarget, ">= 10,000 /s") : null,
            string.Create(CultureInfo.InvariantCulture, $"{rows:N0} twins, first publish to the last history row written in {seconds:0.0} s"));
        report.Add(key + ".lost", $"{who}: uplinks lost{which} (published {result.Published:N0} - in the history {rows:N0})", result.Published - rows, string.Empty, "N0", Target.Exactly(0, "0"));

        ClusterCpu cpu = window.Cpu ?? throw new InvalidOperationException("the window was not closed");
        SiloMessaging messaging = SiloMessaging.Sum(window.Messaging ?? throw new InvalidOperationException("the window was not closed"));
        report.Add(key + ".cpu", $"{who}: CPU milliseconds per twin woken{which}, all processes", cpu.Total * 1000 / Math.Max(1, rows), "ms", "0.00", null,
            string.Create(CultureInfo.InvariantCulture, $"silos {cpu.SilosTotal:0.00} s, mosquitto {cpu.Mosquitto:0.00} s, PostgreSQL {cpu.Postgres:0.00} s"));
        report.Add(key + ".messages", $"{who}: messages between silos per twin woken{which}", messaging.SentToSilos / Math.Max(1, rows), string.Empty, "0.00", null,
            string.Create(CultureInfo.InvariantCulture, $"{messaging.SentToSilos:N0} sent silo to silo ({messaging.OneWayToSilos:N0} one-way), {messaging.ForwardBatches:N0} batches of uplinks passed to their devices' silos, {messaging.CellBatches:N0} batches of cell changes"));
        if (messaging.JitSeconds is double jit)
        {
            // The runtime's clock time while compiling (a compiling thread that waits for a core counts
            // too); the tiered-compilation threads' CPU is the part that is CPU for sure.
            report.Add(key + ".jit", $"{who}: time spent compiling code (JIT){which}, all silos", jit, "s", "0.00", null,
                string.Create(CultureInfo.InvariantCulture, $"the runtime's clock time while compiling, waits for a core included; the tiered-compilation threads used {cpu.TieredCompilation:0.00} s of CPU"));
        }

        if (phase.Group.Cgroups.Count > 0)
        {
            double throttled = window.Throttling.Sum(t => t.ThrottledNanoseconds) / 1e9;
            long periods = window.Throttling.Sum(t => t.Periods), held = window.Throttling.Sum(t => t.Throttled);
            report.Add(key + ".throttled", $"{who}: CFS periods in which a silo ran out of its quota{which}", held / (double)Math.Max(1, periods) * 100, "%", "0", null,
                string.Create(CultureInfo.InvariantCulture, $"{held:N0} of {periods:N0} periods over the silos, {throttled:0.0} s held back in all"));
        }

        if (result.Problem is not null)
        {
            report.Note(result.Problem);
        }

        if (!phase.Last)
        {
            return rate;
        }

        // Every twin is awake now: what they hold, summed over the silos, against the same silos before they woke.
        long liveAfter = await LiveHeapAsync(silos, cancellationToken);
        long twins = await silos[0].TwinsActiveAsync(cancellationToken);
        report.Details["liveHeapBefore"] = liveBefore;
        report.Details["liveHeapAfter"] = liveAfter;
        report.Details["twinsActive"] = twins;
        report.Add("reactivation.memory", $"managed heap per twin in cluster mode, live after a full collection, summed over the {n} silos", (liveAfter - liveBefore) / (double)Math.Max(1, twins) / 1024, "KB", "0.00",
            Target.AtMost(2.8, "<= 2.8 KB"),
            string.Create(CultureInfo.InvariantCulture, $"{twins:N0} twins active; {liveBefore / 1048576.0:0.0} MiB before they woke, {liveAfter / 1048576.0:0.0} MiB after"));
        return rate;
    }

    /// <summary>
    /// The silos' own wake with no uplinks yet, until every twin is active: what the wake alone costs,
    /// so that the run after it shows what an uplink to a woken twin costs.
    /// </summary>
    private static async Task WakeAloneAsync(List<BenchSilo> silos, ClusterLoad load, int devices, BenchReport report, CancellationToken cancellationToken)
    {
        Progress.Say("reactivation: waiting for the silos' own wake, before any uplink");
        var window = new ClusterWindow(load, []);
        await window.OpenAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        long active = 0;
        double firstSeen = double.NaN;
        while (clock.Elapsed < TimeSpan.FromMinutes(10))
        {
            active = await silos[0].TwinsActiveAsync(cancellationToken);
            if (active > 0 && double.IsNaN(firstSeen))
            {
                firstSeen = clock.Elapsed.TotalSeconds;
            }

            // Done when every twin is awake; a wake that is switched off (Wake:Enabled) or has not begun
            // after two minutes is reported as it stands, and the uplinks then wake the rest.
            if (active >= devices || (active == 0 && clock.Elapsed > TimeSpan.FromMinutes(2)))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        double seconds = clock.Elapsed.TotalSeconds - (double.IsNaN(firstSeen) ? 0 : firstSeen);
        await window.CloseAsync(cancellationToken);
        ClusterCpu cpu = window.Cpu!;
        SiloMessaging messaging = SiloMessaging.Sum(window.Messaging!);
        report.Add("reactivation.wake", "the silos' own wake, before any uplink: twins woken per second (from the first seen active)", active / Math.Max(0.001, seconds), "/s", "N0", null,
            string.Create(CultureInfo.InvariantCulture, $"{active:N0} twins active after {clock.Elapsed.TotalSeconds:0.0} s, the first seen at {firstSeen:0.0} s"));
        report.Add("reactivation.wake.cpu", "the wake alone: CPU milliseconds per twin, all processes (settling time included)", cpu.Total * 1000 / Math.Max(1, active), "ms", "0.00", null,
            string.Create(CultureInfo.InvariantCulture, $"silos {cpu.SilosTotal:0.00} s, mosquitto {cpu.Mosquitto:0.00} s, PostgreSQL {cpu.Postgres:0.00} s"));
        report.Add("reactivation.wake.messages", "the wake alone: messages between silos per twin", messaging.SentToSilos / Math.Max(1, active), string.Empty, "0.00");
    }

    /// <summary>
    /// Starts <paramref name="n"/> silos, each in a cgroup of its own when the run is capped and
    /// <paramref name="capped"/> asks for it. Uncapped silos start one after another, as the scenario
    /// always has. Capped ones start together, as a cluster's machines do after a full restart: one
    /// after another, a silo held to a share of a core takes half a minute to start, and the first
    /// would find its share of the ring settled (<c>Wake:Settle</c>) and begin waking the whole city
    /// alone before the others joined.
    /// </summary>
    private static async Task<SiloGroup> StartSilosAsync(Run run, int n, bool capped, string phase, string tag, CancellationToken cancellationToken)
    {
        var group = new SiloGroup([], []);
        bool together = capped && run.Cap is not null;
        var starts = new List<Task<(BenchSilo Silo, TimeSpan Took)>>();
        try
        {
            for (int i = 0; i < n; i++)
            {
                Progress.Say($"reactivation: starting silo {i + 1} of {n} ({phase})");
                string name = $"reactivation-{tag}-{i + 1}";

                // A cgroup that cannot be made or joined throws IOException, which ends the run with its own message.
                CpuCgroup? cgroup = together ? CpuCgroup.Create(name, run.Cap!.Value, run.Period) : null;
                if (cgroup is not null)
                {
                    group.Cgroups.Add(cgroup);
                }

                Dictionary<string, string>? settings = run.Profiles is null ? null : new()
                {
                    ["JitProfile__Directory"] = run.Profiles,
                    ["JitProfile__Name"] = $"silo-{i + 1}.jitprofile",
                };
                Task<(BenchSilo, TimeSpan)> start = StartOneAsync(new SiloSettings("127.0.0.1", run.Mosquitto.Port, ConnectionString: run.ConnectionString, Name: name, Settings: settings), cgroup, cancellationToken);
                starts.Add(start);
                if (!together)
                {
                    await start;
                }
            }

            await Task.WhenAll(starts);
            group.Silos.AddRange(starts.Select(s => s.Result.Silo));
            double mean = starts.Average(s => s.Result.Took.TotalSeconds);
            string how = (together, n) switch
            {
                (true, 1) => ", capped",
                (true, _) => $" of {n}, capped, started together",
                (false, 1) => "",
                _ => $" of {n}",
            };
            run.Report.Add($"reactivation.start.{tag}", $"a silo's start {phase}{how}, from its process starting to its answering: seconds, mean of {n}", mean, "s", "0.0");

            await ClusterScenario.WaitForMembersAsync(group.Silos[0], n, cancellationToken);
            return group;
        }
        catch
        {
            // Whatever did start is stopped again, also when another silo did not.
            if (group.Silos.Count == 0)
            {
                group.Silos.AddRange(starts.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result.Silo));
            }

            await StopAsync(group);
            throw;
        }
    }

    private static async Task<(BenchSilo Silo, TimeSpan Took)> StartOneAsync(SiloSettings settings, CpuCgroup? cgroup, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        BenchSilo silo = await BenchSilo.StartAsync(settings, cancellationToken, cgroup: cgroup);
        return (silo, clock.Elapsed);
    }

    /// <summary>Stops the silos one after another, each with SIGTERM (its twins write their snapshots as it leaves), then removes their cgroups.</summary>
    private static async Task StopAsync(SiloGroup group)
    {
        foreach (BenchSilo silo in group.Silos)
        {
            await silo.DisposeAsync();
        }

        foreach (CpuCgroup cgroup in group.Cgroups)
        {
            cgroup.Dispose();
        }
    }

    /// <summary>Bytes live after a full collection, summed over the silos, each collected first.</summary>
    private static async Task<long> LiveHeapAsync(List<BenchSilo> silos, CancellationToken cancellationToken)
    {
        long sum = 0;
        foreach (BenchSilo silo in silos)
        {
            await InducedCollection.RunAsync(silo.ProcessId, cancellationToken);
            SiloGc gc = await silo.GcAsync(cancellationToken);
            sum += gc.LiveHeapBytes ?? throw new InvalidOperationException($"silo {silo.ProcessId} reports no live heap (twincity_gc_live_after_full_collection_bytes)");
        }

        return sum;
    }

    private static async Task<long> HistoryRowsAsync(string connectionString, uint minFCnt, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM uplink_history WHERE f_cnt >= $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (long)minFCnt });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<(long Rows, DateTime? Last)> LastRowAsync(string connectionString, uint minFCnt, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(DISTINCT (kind, twin_id)), max(inserted_at) FROM uplink_history WHERE f_cnt >= $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (long)minFCnt });
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTime>(1));
    }
}
