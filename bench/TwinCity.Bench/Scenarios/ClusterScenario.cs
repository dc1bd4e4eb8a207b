using System.Globalization;
using System.Text.Json.Nodes;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Load;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Publishing;
using TwinCity.Bench.Reporting;
using TwinCity.Bench.Rig;
using TwinCity.Testing;

namespace TwinCity.Bench.Scenarios;

/// <summary>
/// Ingest with 1, 2 and 3 silo processes in cluster mode (TwinCity:Mode=Cluster) on this machine:
/// PostgreSQL for membership, grain state, reminders and history, mosquitto shared by the silos
/// through a shared subscription. Each silo count gets a fresh database and broker, and a warm-up
/// (by default one uplink per device, as for ingest) that activates the twins across the silos and
/// writes their first rows before the clock starts; it is reported apart. When cluster mode does not
/// come up, the report says so and why, and carries no figure for it.
/// </summary>
/// <remarks>
/// Besides the rate, each silo count reports what the timed window cost: CPU per 1,000 uplinks over
/// every process that carries the load (silos, mosquitto, PostgreSQL with all its children), messages
/// between silos per uplink from Orleans' own meter, and the share of twin uplink calls that stayed on
/// the silo whose ingest took them. With <c>--cpu-per-silo</c> each silo runs in a cpu cgroup of its
/// own with that quota, a stand-in for a machine per silo, and the report says how the rate grows with
/// the silos; on a machine with a few cores and no cap, more silos only share the same cores.
/// </remarks>
public sealed class ClusterScenario : IBenchScenario
{
    /// <summary>Messages between silos per uplink applied, pings included.</summary>
    public const double MessagesTarget = 0.05;

    /// <summary>CPU per uplink with the most silos over that with one.</summary>
    public const double CpuRatioTarget = 1.25;

    public string Name => "cluster";

    /// <summary>The least warm-up by default, so that the silos have done most of their compiling before the timed window.</summary>
    public const long DefaultWarmupUplinks = 100_000;

    /// <summary>The most warm-up rounds by default (each of the warm-up's uplinks) before the timed run starts anyway.</summary>
    public const int DefaultWarmupRounds = 5;

    public string Usage => "cluster [--silos 1,2,3] [--devices 100000] [--uplinks 1000000] [--mix city|streetlights] [--warmup-uplinks max(DEVICES, 100000)] [--warmup-rounds 5] [--cpu-per-silo CORES [--cpu-period-ms 100]] [--ready-to-run]";

    /// <summary>
    /// With each silo capped, the rate with <paramref name="silos"/> silos over the rate with one should
    /// be at least five sixths of the silo count: 2.5 for 3 silos.
    /// </summary>
    public static double ScalingTarget(long silos) => silos * 2.5 / 3;

    /// <summary><c>--cpu-per-silo</c>: a share of one core (0.4 is 40 %), or null when not given (no cap).</summary>
    public static double? CpuPerSilo(BenchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? text = args.Text("cpu-per-silo");
        if (text is null)
        {
            return null;
        }

        double cores = args.Number("cpu-per-silo", 0);
        return cores >= 0.01 && cores <= Environment.ProcessorCount
            ? cores
            : throw new BenchUsageException($"--cpu-per-silo is the share of one core each silo may use, from 0.01 to {Environment.ProcessorCount} (the cores here), not '{text}'");
    }

    /// <summary>
    /// <c>--cpu-per-silo</c> and <c>--cpu-period-ms</c> read together: the share of a core (null for
    /// no cap) and the period. A period given without a cap is refused.
    /// </summary>
    public static (double? Cores, long PeriodMicroseconds) CpuCap(BenchArgs args)
    {
        double? cap = CpuPerSilo(args);
        long period = CpuPeriodMicroseconds(args);
        return cap is null && args.Text("cpu-period-ms") is not null
            ? throw new BenchUsageException("--cpu-period-ms sets the period of the silos' CPU cap, and is given without --cpu-per-silo")
            : (cap, period);
    }

    /// <summary>
    /// True, with the report's error saying why, when no cgroup can be made here for a run capped at
    /// <paramref name="cores"/>: a capped run that quietly ran uncapped would report a scaling the
    /// silos never had to earn.
    /// </summary>
    public static bool RefusedUncapped(BenchReport report, double cores)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (CpuCgroup.Unavailable() is not { } why)
        {
            return false;
        }

        report.Error = $"--cpu-per-silo {cores.ToString(CultureInfo.InvariantCulture)} puts each silo in a cpu cgroup of its own, and none can be made here: {why}. Nothing was run uncapped in its place.";
        return true;
    }

    /// <summary>
    /// <c>--cpu-period-ms</c>: the CFS period of the silos' cgroups, in microseconds (the kernel's
    /// 100 ms unless given; 1 to 1,000 ms). Each silo may use its share of a core in each period, and
    /// is stopped for the rest of it once the share is spent.
    /// </summary>
    public static long CpuPeriodMicroseconds(BenchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? text = args.Text("cpu-period-ms");
        if (text is null)
        {
            return CpuCgroup.DefaultPeriodMicroseconds;
        }

        double milliseconds = args.Number("cpu-period-ms", 0);
        long micro = double.IsFinite(milliseconds) ? (long)Math.Round(milliseconds * 1000) : 0;
        return micro is >= CpuCgroup.MinPeriodMicroseconds and <= CpuCgroup.MaxPeriodMicroseconds
            ? micro
            : throw new BenchUsageException($"--cpu-period-ms is the CFS period of the silos' cgroups, from 1 to 1000 ms (the kernel's bounds), not '{text}'");
    }

    public async Task RunAsync(BenchArgs args, BenchReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(report);
        long[] counts = args.LongList("silos", "1,2,3");
        int devices = ScenarioOptions.Positive(args, "devices", 100_000);
        long uplinks = args.Size("uplinks", 1_000_000);
        DeviceMix mix = ScenarioOptions.Mix(args, DeviceMix.City);
        // Each silo compiles its code on its own: a warm-up of one uplink per device leaves 3 silos
        // compiling through the timed window (a quarter of its CPU in a profile of 10,000 devices), so
        // the default warms up with at least 100,000 uplinks; the JIT row shows what is left.
        long warmup = args.Size("warmup-uplinks", Math.Max(devices, DefaultWarmupUplinks));
        // A silo held to a share of a core compiles for longer than one warm-up: more rounds, while
        // the silos' tiered-compilation threads still take a share of their CPU (CompilingGauge).
        int warmupRounds = (int)Math.Clamp(args.Size("warmup-rounds", DefaultWarmupRounds), 1, 100);
        (double? cap, long period) = CpuCap(args);

        await ReadyToRunSilo.UseIfAskedAsync(args, report, cancellationToken);
        report.Details["devices"] = devices;
        report.Details["warmupUplinks"] = warmup;
        report.Details["warmupRoundsAtMost"] = warmupRounds;
        report.Details["uplinks"] = uplinks;
        report.Details["cpuPerSilo"] = cap;
        report.Details["cpuPeriodMicroseconds"] = cap is null ? null : period;
        var runs = new JsonObject();
        report.Details["runs"] = runs;
        var warmups = new JsonObject();
        report.Details["warmups"] = warmups;

        if (cap is double cores)
        {
            if (RefusedUncapped(report, cores))
            {
                return;
            }

            report.Note(string.Create(CultureInfo.InvariantCulture,
                $"Capped: each silo process ran in a cgroup v1 cpu cgroup of its own ({CpuCgroup.BenchRoot}/<silo>, cpu.cfs_quota_us={CpuCgroup.QuotaFor(cores, period)} per cpu.cfs_period_us={period}), {cores:0.##} of a core, as a stand-in for one machine per silo; mosquitto, PostgreSQL and the publisher ran uncapped, on the same {Environment.ProcessorCount} cores."));
        }

        var perUplinkCpu = new Dictionary<long, double>();
        var perUplinkCpuCompiled = new Dictionary<long, double>();
        var rates = new Dictionary<long, double>();
        try
        {
            Progress.Say("starting PostgreSQL");
            await using PostgresServer postgres = await PostgresServer.StartAsync(cancellationToken);
            int postmaster = PostgresProcesses.FindPostmaster(postgres.Port);
            report.Note("PostgreSQL is the test fixture's throwaway server (tests/TwinCity.Testing/PostgresServer.cs), which runs with durability switched off.");
            report.Note("CPU per 1,000 uplinks is user + system time, from /proc, of every silo, mosquitto and the PostgreSQL server (its postmaster and every child: backends, walwriter, checkpointer, autovacuum), from the start of publishing to the count complete; the publisher's is not in it. The JSON details give each part.");
            report.Note("Messages between silos are Orleans' own count (meter Microsoft.Orleans, the histogram orleans-messaging-sent-messages-size, series ConnectionDirection=SiloToSilo), summed over the silos over the same window. Membership pings and their replies are counted in; the pings sent are given apart in the JSON details.");
            foreach (long n in counts)
            {
                (double Rate, double CpuPerUplink, double CpuPerUplinkCompiled)? outcome = await RunClusterAsync(n, postgres, postmaster, devices, uplinks, mix, warmup, warmupRounds, cap, period, report, runs, warmups, cancellationToken);
                if (outcome is not { } figures)
                {
                    return;
                }

                rates[n] = figures.Rate;
                perUplinkCpu[n] = figures.CpuPerUplink;
                perUplinkCpuCompiled[n] = figures.CpuPerUplinkCompiled;
            }
        }
        finally
        {
            if (cap is not null)
            {
                CpuCgroup.RemoveBenchRootIfEmpty();
            }
        }

        AddComparisons(report, rates, perUplinkCpu, perUplinkCpuCompiled, cap);
    }

    /// <summary>One silo count: start, warm up, time, report. Null when cluster mode did not come up (the report says why).</summary>
    private static async Task<(double Rate, double CpuPerUplink, double CpuPerUplinkCompiled)?> RunClusterAsync(
        long n,
        PostgresServer postgres,
        int postmaster,
        int devices,
        long uplinks,
        DeviceMix mix,
        long warmup,
        int warmupRounds,
        double? cap,
        long period,
        BenchReport report,
        JsonObject runs,
        JsonObject warmups,
        CancellationToken cancellationToken)
    {
        string connectionString = await postgres.CreateUniqueDatabaseAsync("bench", cancellationToken);
        await using BenchMosquitto mosquitto = await BenchMosquitto.StartAsync(cancellationToken);
        var silos = new List<BenchSilo>();
        var cgroups = new List<CpuCgroup>();
        try
        {
            try
            {
                for (int i = 0; i < n; i++)
                {
                    Progress.Say($"cluster: starting silo {i + 1} of {n}");
                    string name = $"cluster{n}-silo{i + 1}";

                    // A cgroup that cannot be made or joined throws IOException, which is not cluster mode
                    // failing to come up: it ends the run with its own message.
                    CpuCgroup? cgroup = cap is double cores ? CpuCgroup.Create(name, cores, period) : null;
                    if (cgroup is not null)
                    {
                        cgroups.Add(cgroup);
                    }

                    silos.Add(await BenchSilo.StartAsync(new SiloSettings("127.0.0.1", mosquitto.Port, ConnectionString: connectionString, Name: name), cancellationToken, cgroup: cgroup));
                }

                await WaitForMembersAsync(silos[0], (int)n, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException)
            {
                report.NotAvailable = $"cluster mode (TwinCity__Mode=Cluster) did not come up with {n} silo(s) on this build: {FirstLine(ex.Message)}";
                report.Details["clusterFailure"] = ex.Message;
                return null;
            }

            // What each capped silo's runtime took for its machine: a silo started in its cgroup sees
            // its share of a core rounded up to whole processors, and sizes its GC and threads to that.
            var processors = new List<double?>();
            foreach (BenchSilo silo in cap is null ? [] : silos)
            {
                processors.Add(await silo.MetricAsync("dotnet_process_cpu_count", cancellationToken));
            }

            await IngestScenario.ProvisionAsync(silos[0], devices, mix, cancellationToken);
            var load = new ClusterLoad(silos, mosquitto, postmaster);
            var window = new ClusterWindow(load, cgroups);
            UplinkRun.WarmedRun warmed = await UplinkRun.RunWarmedAsync(
                $"cluster of {n}",
                new PublishPlan(mosquitto.Port, devices, uplinks, mix),
                warmup,
                silos[0].AppliedAsync,
                load.TotalCpuSeconds,
                TimeSpan.FromSeconds(1),
                window,
                new CompilingGauge(load),
                warmupRounds,
                cancellationToken);
            UplinkRunResult run = warmed.Timed;
            string key = n.ToString(CultureInfo.InvariantCulture);
            JsonObject described = IngestScenario.Describe(run);
            runs[key] = described;
            if (warmed.Warmup is { } warm)
            {
                JsonObject warmDescribed = IngestScenario.Describe(warm);
                warmDescribed["rounds"] = warmed.WarmupRounds;
                warmDescribed["roundReadings"] = new JsonArray([.. warmed.WarmupReadings.Select(r => (JsonNode)r)]);
                warmups[key] = warmDescribed;
                report.Add($"cluster.{n}.warmup.rounds", $"{n} silo(s): warm-up rounds of {warmup:N0} uplinks before the timed run", warmed.WarmupRounds, string.Empty, "N0", null,
                    warmed.WarmupReadings.Count == 0 ? null : "after each: " + string.Join("; ", warmed.WarmupReadings));
                IngestScenario.AddWarmupFigures(report, warm, $"cluster.{n}", $"{n} silo(s)");
            }

            ClusterCpu cpu = window.Cpu ?? throw new InvalidOperationException("the timed window was not closed");
            IReadOnlyList<SiloMessaging> perSilo = window.Messaging ?? throw new InvalidOperationException("the timed window was not closed");
            SiloMessaging messaging = SiloMessaging.Sum(perSilo);
            long applied = Math.Max(1, run.Counted);
            double cpuPerThousand = cpu.Total / applied * 1000;
            double messagesPerUplink = messaging.SentToSilos / applied;
            described["cpu"] = DescribeCpu(cpu, cpuPerThousand);
            described["messaging"] = DescribeMessaging(perSilo, messaging, messagesPerUplink);
            described["cgroups"] = new JsonArray([.. cgroups.Select((c, i) => (JsonNode)new JsonObject
            {
                ["path"] = c.Path,
                ["quotaMicroseconds"] = c.QuotaMicroseconds,
                ["periodMicroseconds"] = c.PeriodMicroseconds,
                ["periodsInWindow"] = window.Throttling[i].Periods,
                ["throttledPeriodsInWindow"] = window.Throttling[i].Throttled,
                ["throttledSecondsInWindow"] = window.Throttling[i].ThrottledNanoseconds / 1e9,
                ["processorsSeenByRuntime"] = processors[i],
            })]);

            (double rate, double seconds) = run.Sustained;
            string over = string.Create(CultureInfo.InvariantCulture, $"over {seconds:0.0} s");
            if (cap is double capped)
            {
                // A silo held to a share of a core is not meant to reach the platform's rate alone: scaling is what the capped run asks.
                report.Add($"cluster.{n}.rate", $"{n} silo(s), each capped at {capped.ToString("0.##", CultureInfo.InvariantCulture)} of a core: uplinks applied per second, sustained", rate, "/s", "N0", null, over);
            }
            else
            {
                report.Add($"cluster.{n}.rate", $"{n} silo(s): uplinks applied per second, sustained", rate, "/s", "N0", Target.AtLeast(IngestScenario.RateTarget, ">= 50,000 /s"), over);
            }

            report.Add($"cluster.{n}.cpu", $"{n} silo(s): CPU seconds per 1,000 uplinks, all processes", cpuPerThousand, "s", "0.000", null,
                string.Create(CultureInfo.InvariantCulture, $"silos {cpu.SilosTotal:0.00} s, mosquitto {cpu.Mosquitto:0.00} s, PostgreSQL {cpu.Postgres:0.00} s for {run.Counted:N0} uplinks"));
            report.Add($"cluster.{n}.messages", $"{n} silo(s): messages between silos per uplink", messagesPerUplink, string.Empty, "0.0000", Target.AtMost(MessagesTarget, "<= 0.05"),
                n == 1
                    ? "0 by construction: one silo has no other to send to"
                    : string.Create(CultureInfo.InvariantCulture, $"{messaging.SentToSilos:N0} sent silo to silo, {messaging.PingsSent:N0} of them membership pings (their replies too are counted), {messaging.ForwardBatches:N0} batches of uplinks passed to their devices' silos and {messaging.CellBatches:N0} batches of changes passed to cells on other silos (each with its answer), {messaging.OneWayToSilos:N0} one-way; {messaging.SentLocal:N0} delivered inside a silo"));
            AddPlacement(report, n, messaging);
            if (messaging.JitSeconds is double jit)
            {
                // dotnet.jit.compilation.time is time on a clock while a thread compiles: a compiling
                // thread that waits for a core counts too, so on a loaded machine it is more than the CPU
                // the JIT took. The tiered-compilation thread's own CPU is the part that is CPU for sure.
                report.Add($"cluster.{n}.jit", $"{n} silo(s): time spent compiling code (JIT) in the timed window, all silos", jit, "s", "0.00", null,
                    string.Create(CultureInfo.InvariantCulture, $"the runtime's clock time while compiling, waits for a core included; the tiered-compilation threads used {cpu.TieredCompilation:0.00} s of CPU, {cpu.TieredCompilation / Math.Max(cpu.Total, 1e-9) * 100:0.0} % of the window's; a silo still compiling is warming up, not in its steady state"));
            }
            else
            {
                report.AddUnavailable($"cluster.{n}.jit", $"{n} silo(s): time spent compiling code (JIT) in the timed window", $"the silos export no {SiloMessaging.JitTimeCounter}");
            }

            report.Add($"cluster.{n}.lost", $"{n} silo(s): uplinks lost (published {run.Published:N0} - applied {run.Counted:N0})", run.Published - run.Counted, string.Empty, "N0", Target.Exactly(0, "0"));
            if (run.Problem is not null)
            {
                report.Note($"{n} silo(s): {run.Problem}");
            }

            return (rate, cpu.Total / applied, (cpu.Total - cpu.TieredCompilation) / applied);
        }
        finally
        {
            foreach (BenchSilo silo in silos)
            {
                await silo.DisposeAsync();
            }

            // Only once their processes have exited: the kernel keeps a cgroup with tasks in it.
            foreach (CpuCgroup cgroup in cgroups)
            {
                cgroup.Dispose();
            }
        }
    }

    /// <summary>The share of twin uplink calls that stayed on the ingesting silo, or a row saying why there is none.</summary>
    private static void AddPlacement(BenchReport report, long n, SiloMessaging messaging)
    {
        string key = $"cluster.{n}.local";
        string name = $"{n} silo(s): share of twin uplink calls applied on the silo whose ingest took them";
        if (messaging.LocalShare is double share)
        {
            report.Add(key, name, share, string.Empty, "0.000", null,
                string.Create(CultureInfo.InvariantCulture, $"{messaging.TwinUplinksLocal:N0} local, {messaging.TwinUplinksRemote:N0} remote"));
        }
        else if (messaging.TwinUplinksLocal is null)
        {
            report.AddUnavailable(key, name, $"the silos of this build export no {SiloMessaging.TwinUplinksCounter}{{placement=...}} (twincity.twins.uplinks) series");
        }
        else
        {
            report.AddUnavailable(key, name, $"{SiloMessaging.TwinUplinksCounter} did not move in the timed window");
        }
    }

    /// <summary>Rows that compare silo counts: CPU per uplink (always), and the rate's growth when the silos are capped.</summary>
    private static void AddComparisons(BenchReport report, Dictionary<long, double> rates, Dictionary<long, double> perUplinkCpu, Dictionary<long, double> perUplinkCpuCompiled, double? cap)
    {
        if (!rates.TryGetValue(1, out double oneRate) || !perUplinkCpu.TryGetValue(1, out double oneCpu))
        {
            if (rates.Count > 1)
            {
                report.Note("The rows comparing silo counts need 1 among --silos.");
            }

            return;
        }

        long most = rates.Keys.Max();
        if (most > 1)
        {
            report.Add("cluster.cpuRatio", $"CPU per uplink with {most} silos / with 1 silo", perUplinkCpu[most] / oneCpu, string.Empty, "0.00", Target.AtMost(CpuRatioTarget, "<= 1.25"),
                string.Create(CultureInfo.InvariantCulture, $"{perUplinkCpu[most] * 1e6:0} against {oneCpu * 1e6:0} µs per uplink"));

            // Each silo recompiles its hot code on its own, so silos that share a warm-up still do some
            // of it in the window; a city's silos that have run for a while have done all of it.
            report.Add("cluster.cpuRatioCompiled", $"CPU per uplink with {most} silos / with 1 silo, leaving out the silos' tiered-compilation threads", perUplinkCpuCompiled[most] / perUplinkCpuCompiled[1], string.Empty, "0.00", null,
                string.Create(CultureInfo.InvariantCulture, $"{perUplinkCpuCompiled[most] * 1e6:0} against {perUplinkCpuCompiled[1] * 1e6:0} µs per uplink; code the silos still compile at first use is left in"));
        }

        if (cap is null)
        {
            return;
        }

        foreach (long n in rates.Keys.Where(k => k > 1).Order())
        {
            double target = ScalingTarget(n);
            report.Add($"cluster.scaling.{n}", $"rate with {n} silos / rate with 1 silo, each capped", rates[n] / oneRate, string.Empty, "0.00",
                Target.AtLeast(target, string.Create(CultureInfo.InvariantCulture, $">= {target:0.##}")),
                string.Create(CultureInfo.InvariantCulture, $"{rates[n]:N0} against {oneRate:N0} /s"));
        }
    }

    // /proc counts in hundredths of a second: more digits would be noise from adding them up.
    private static JsonObject DescribeCpu(ClusterCpu cpu, double perThousand) => new()
    {
        ["silos"] = new JsonArray([.. cpu.Silos.Select(s => (JsonNode?)JsonValue.Create(Finite(s)))]),
        ["silosTotal"] = Finite(cpu.SilosTotal),
        ["mosquitto"] = Finite(cpu.Mosquitto),
        ["postgres"] = Finite(cpu.Postgres),
        ["total"] = Finite(cpu.Total),
        ["tieredCompilationThreads"] = Finite(cpu.TieredCompilation),
        ["perThousandUplinks"] = Finite(perThousand, 4),
    };

    private static JsonObject DescribeMessaging(IReadOnlyList<SiloMessaging> perSilo, SiloMessaging sum, double perUplink) => new()
    {
        ["betweenSilos"] = sum.SentToSilos,
        ["pingsSent"] = sum.PingsSent,
        ["oneWayBetweenSilos"] = sum.OneWayToSilos,
        ["forwardBatches"] = sum.ForwardBatches,
        ["cellBatches"] = sum.CellBatches,
        ["local"] = sum.SentLocal,
        ["betweenSilosPerUplink"] = perUplink,
        ["twinUplinksLocal"] = sum.TwinUplinksLocal,
        ["twinUplinksRemote"] = sum.TwinUplinksRemote,
        ["localShare"] = sum.LocalShare,
        ["jitSeconds"] = sum.JitSeconds,
        ["perSilo"] = new JsonArray([.. perSilo.Select(s => (JsonNode)new JsonObject
        {
            ["sentToSilos"] = s.SentToSilos,
            ["pingsSent"] = s.PingsSent,
            ["oneWayToSilos"] = s.OneWayToSilos,
            ["forwardBatches"] = s.ForwardBatches,
            ["cellBatches"] = s.CellBatches,
            ["sentLocal"] = s.SentLocal,
            ["twinUplinksLocal"] = s.TwinUplinksLocal,
            ["twinUplinksRemote"] = s.TwinUplinksRemote,
        })]),
    };

    private static double? Finite(double value, int digits = 2) => double.IsFinite(value) ? Math.Round(value, digits) : null;

    internal static async Task WaitForMembersAsync(BenchSilo silo, int expected, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(90);
        int active = 0;
        while (DateTime.UtcNow < deadline)
        {
            active = await silo.ActiveSilosAsync(cancellationToken);
            if (active >= expected)
            {
                return;
            }

            await Task.Delay(1000, cancellationToken);
        }

        throw new TimeoutException($"GET /api/v1/cluster shows {active} active silo(s), not {expected}, after 90 s");
    }

    internal static string FirstLine(string text)
    {
        int end = text.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }
}
