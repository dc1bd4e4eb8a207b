using System.Text.Json;
using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Tests;

/// <summary>
/// Short runs of every scenario of the harness (small sizes, seconds each) through the real silo,
/// brokers and PostgreSQL, so that the harness cannot rot: each must produce its result table and
/// count what it published at the far end. They check what the harness reports, never how fast:
/// the full runs and their figures live in bench/README.md.
/// </summary>
public sealed class HarnessSmokeTests
{
    [Fact]
    public async Task Ingest_on_the_embedded_broker_applies_every_published_uplink()
    {
        BenchRun run = await BenchRun.RunAsync("ingest", "--devices", "300", "--uplinks", "3000");

        Assert.True(run.ExitCode == 0, run.Explain);
        Assert.Equal(3000, run.Figure("ingest.published"));
        Assert.Equal(run.Figure("ingest.published"), run.Figure("ingest.applied"));
        Assert.Equal(0, run.Figure("ingest.lost"));
        Assert.Equal(0, run.Figure("ingest.warmup.lost"));
        Assert.Equal(0, run.Figure("ingest.baselineWarmup.lost"));
        Assert.True(run.Figure("ingest.warmup.rate") > 0, run.Explain);
        Assert.True(run.Figure("ingest.baseline") > 0, run.Explain);
        Assert.True(run.Figure("ingest.rate") > 0, run.Explain);
        Assert.True(run.Figure("ingest.cpu") > 0, run.Explain);
        Assert.Contains("| ingest: uplinks lost (published - applied) | 0 | 0 | met |", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_through_mosquitto_applies_every_published_uplink()
    {
        BenchRun run = await BenchRun.RunAsync("ingest", "--broker", "mosquitto", "--devices", "300", "--uplinks", "3000", "--no-baseline");

        Assert.True(run.ExitCode == 0, run.Explain);
        Assert.Equal(3000, run.Figure("ingest.applied"));
        Assert.Equal(0, run.Figure("ingest.lost"));
        Assert.False(run.HasFigure("ingest.share"));
    }

    [Fact]
    public async Task Baseline_counts_every_uplink_and_measures_the_empty_grain()
    {
        BenchRun run = await BenchRun.RunAsync("baseline", "--broker", "mosquitto", "--devices", "300", "--uplinks", "3000", "--grain-seconds", "1", "--grains", "100", "--concurrency", "50");

        Assert.True(run.ExitCode == 0, run.Explain);
        Assert.Equal(3000, run.Figure("baseline.received"));
        Assert.Equal(0, run.Figure("baseline.lost"));
        Assert.True(run.Figure("baseline.grainCalls") > 0, run.Explain);
    }

    [Fact]
    public async Task Latency_matches_viewer_changes_to_their_publish()
    {
        string samples = Path.Combine(Path.GetTempPath(), $"latency-samples-{Guid.NewGuid():N}.csv");
        BenchRun run = await BenchRun.RunAsync("latency", "--devices", "300", "--rate", "300", "--seconds", "3", "--warmup", "1", "--samples", samples);

        Assert.True(run.ExitCode == 0, run.Explain);
        Assert.Equal(0, run.Figure("latency.lost"));
        Assert.True(run.Figure("latency.samples") > 0, run.Explain);
        double p50 = run.Figure("latency.viewer.p50");
        double p99 = run.Figure("latency.viewer.p99");
        Assert.True(p50 > 0 && p50 <= p99 && p99 <= run.Figure("latency.viewer.max"), run.Explain);

        // The twin changes before the viewer hears of it.
        Assert.True(run.Figure("latency.twin.p50") <= p50, run.Explain);

        // The warm-up second's uplinks are timed too, apart from the three measured seconds.
        Assert.True(run.Figure("latency.warmup.p99") > 0, run.Explain);
        Assert.True(run.Figure("latency.samples") <= 900, run.Explain);

        // Every matched change is a row of the samples file, the measured ones marked apart from the warm-up.
        string[] rows = File.ReadAllLines(samples);
        File.Delete(samples);
        Assert.Equal("uplink,published_utc,twin_changed_ms,viewer_ms,warmup", rows[0]);
        Assert.All(rows.Skip(1), r => Assert.Equal(5, r.Split(',').Length));
        Assert.Equal(run.Figure("latency.samples"), rows.Skip(1).Count(r => r.EndsWith(",0", StringComparison.Ordinal)));
        Assert.Contains(rows.Skip(1), r => r.EndsWith(",1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Memory_reports_heap_and_working_set_per_twin()
    {
        BenchRun run = await BenchRun.RunAsync("memory", "--twins", "2000");

        Assert.True(run.ExitCode == 0, run.Explain);
        Assert.True(run.Figure("memory.2000.heap") > 0, run.Explain);
        Assert.True(run.Figure("memory.2000.time") > 0, run.Explain);
        Assert.True(run.HasFigure("memory.2000.ws"), run.Explain);
        Assert.True(run.Figure("memory.2000.empty") > 0, run.Explain);
        Assert.True(run.Figure("memory.2000.own") < run.Figure("memory.2000.heap"), run.Explain);
    }

    [Fact]
    public async Task Commands_see_a_downlink_for_every_accepted_command()
    {
        BenchRun run = await BenchRun.RunAsync("commands", "--devices", "100", "--rate", "20", "--seconds", "2");

        Assert.True(run.ExitCode == 0, run.Explain);
        Assert.Equal(40, run.Figure("commands.accepted"));
        Assert.Equal(0, run.Figure("commands.missing"));
        Assert.True(run.Figure("commands.p50") > 0, run.Explain);
    }

    [Fact]
    public async Task Cluster_reports_a_figure_per_silo_count_or_says_why_it_cannot()
    {
        BenchRun run = await BenchRun.RunAsync("cluster", "--silos", "1,2", "--devices", "200", "--uplinks", "2000", "--warmup-uplinks", "2000", "--warmup-rounds", "1");

        Assert.True(run.Result is not null, run.Explain);
        string? notAvailable = run.Result!.RootElement.GetProperty("notAvailable").GetString();
        if (notAvailable is not null)
        {
            // Cluster mode not working on this build: said plainly, the run fails, and no figure is made up.
            Assert.Equal(1, run.ExitCode);
            Assert.Contains("cluster mode", notAvailable, StringComparison.Ordinal);
            Assert.Contains("**Not available yet:**", run.Output, StringComparison.Ordinal);
            Assert.False(run.HasFigure("cluster.2.rate"));
            return;
        }

        Assert.True(run.ExitCode == 0, run.Explain);
        Assert.Equal(0, run.Figure("cluster.1.lost"));
        Assert.Equal(0, run.Figure("cluster.2.lost"));
        Assert.Equal(0, run.Figure("cluster.1.warmup.lost"));
        Assert.Equal(0, run.Figure("cluster.2.warmup.lost"));
        Assert.True(run.Figure("cluster.2.warmup.rate") > 0, run.Explain);
        Assert.True(run.Figure("cluster.2.rate") > 0, run.Explain);

        // The window's cost over every process that carries the load, part by part in the details.
        Assert.True(run.Figure("cluster.1.cpu") > 0, run.Explain);
        Assert.True(run.Figure("cluster.2.cpu") > 0, run.Explain);
        JsonElement cpu = run.Result.RootElement.GetProperty("details").GetProperty("runs").GetProperty("2").GetProperty("cpu");
        Assert.Equal(2, cpu.GetProperty("silos").GetArrayLength());
        Assert.True(cpu.GetProperty("mosquitto").GetDouble() > 0, run.Explain);
        Assert.True(cpu.GetProperty("postgres").GetDouble() > 0, run.Explain);
        Assert.True(run.Figure("cluster.cpuRatio") > 0, run.Explain);
        Assert.True(run.Figure("cluster.cpuRatioCompiled") > 0, run.Explain);
        double compiling = cpu.GetProperty("tieredCompilationThreads").GetDouble();
        Assert.InRange(compiling, 0, cpu.GetProperty("silosTotal").GetDouble());

        // One silo sends nothing to another; two send at least what their messages count.
        Assert.Equal(0, run.Figure("cluster.1.messages"));
        Assert.True(run.Figure("cluster.2.messages") >= 0, run.Explain);

        // The placement share is a share, or says plainly that this build does not export it.
        double local = run.Figure("cluster.2.local");
        Assert.True(double.IsNaN(local) ? run.Output.Contains("not available", StringComparison.Ordinal) : local is >= 0 and <= 1, run.Explain);
        Assert.False(run.HasFigure("cluster.scaling.2"));
    }

    [Fact]
    public async Task Cluster_with_capped_silos_reports_the_scaling_or_refuses_to_run_uncapped()
    {
        // A whole core each, so that the capped silos start quickly; still fewer processors than the machine's.
        BenchRun run = await BenchRun.RunAsync("cluster", "--silos", "1,2", "--cpu-per-silo", "1", "--cpu-period-ms", "20", "--devices", "200", "--uplinks", "2000", "--warmup-uplinks", "2000", "--warmup-rounds", "1");

        Assert.True(run.Result is not null, run.Explain);
        if (CpuCgroup.Unavailable() is not null)
        {
            // Not root, or no cgroup v1 cpu controller: the run fails and says why, with no figure measured uncapped.
            Assert.Equal(1, run.ExitCode);
            Assert.Contains("cgroup", run.Result!.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.False(run.HasFigure("cluster.1.rate"));
            return;
        }

        if (run.Result!.RootElement.GetProperty("notAvailable").GetString() is not null)
        {
            return;
        }

        Assert.True(run.ExitCode == 0, run.Explain);
        Assert.Equal(0, run.Figure("cluster.2.lost"));
        Assert.True(run.Figure("cluster.scaling.2") > 0, run.Explain);
        Assert.Contains("cpu.cfs_quota_us=20000 per cpu.cfs_period_us=20000", run.Output, StringComparison.Ordinal);
        JsonElement cgroups = run.Result.RootElement.GetProperty("details").GetProperty("runs").GetProperty("2").GetProperty("cgroups");
        Assert.Equal(2, cgroups.GetArrayLength());
        Assert.All(cgroups.EnumerateArray(), c =>
        {
            Assert.Equal(20_000, c.GetProperty("quotaMicroseconds").GetInt64());
            Assert.Equal(20_000, c.GetProperty("periodMicroseconds").GetInt64());

            // Started in its cgroup: the runtime saw one core as one processor, not the machine's cores.
            Assert.Equal(1, c.GetProperty("processorsSeenByRuntime").GetDouble());
        });

        // Removed when done: no cgroup of the run is left behind.
        Assert.All(cgroups.EnumerateArray(), c => Assert.False(Directory.Exists(c.GetProperty("path").GetString()), run.Explain));
    }

    [Fact]
    public async Task Reactivation_restarts_the_city_with_each_silo_count_twice_and_every_twin_applies_each_uplink()
    {
        // 1 silo, then 2, each restarted twice in a row after the city took 100 uplinks: frames 1 to 5,
        // each restart counting its own. Each silo is capped where cgroups can be made (a whole core
        // each, so that capped silos start quickly: the test is of the mechanics, not of a figure);
        // elsewhere the same run goes uncapped, and the cluster test shows a capped run refused there.
        // The last restart lets the silos wake every twin before the first publish (--wake-first);
        // they settle for 8 s rather than 20 before they wake: time enough for the second to join.
        bool capped = CpuCgroup.Unavailable() is null;
        string[] cap = capped ? ["--cpu-per-silo", "1", "--cpu-period-ms", "20"] : [];
        BenchRun run = await BenchRun.RunAsync(
            new Dictionary<string, string> { ["TWINCITY_BENCH_SILO_Wake__Settle"] = "00:00:08" },
            ["reactivation", "--silos", "1,2", "--devices", "200", "--restarts", "2", "--uplinks-before", "100", "--wake-first", .. cap]);

        Assert.True(run.ExitCode == 0, run.Explain);
        Assert.True(run.Figure("reactivation.provisioning") > 0, run.Explain);
        Assert.True(run.Figure("reactivation.start.before") > 0, run.Explain);
        Assert.True(run.Result!.RootElement.GetProperty("details").GetProperty("jitProfile").GetBoolean(), run.Explain);
        foreach (string n in new[] { "1", "2" })
        {
            foreach (string key in new[] { $"reactivation.{n}.restart1", $"reactivation.{n}" })
            {
                Assert.Equal(0, run.Figure($"{key}.lost"));
                Assert.True(run.Figure($"{key}.rate") > 0, run.Explain);
                Assert.True(run.Figure($"{key}.cpu") > 0, run.Explain);
                Assert.True(run.Figure($"{key}.jit") >= 0, run.Explain);
                Assert.Equal(capped, run.HasFigure($"{key}.throttled"));
                if (capped)
                {
                    Assert.InRange(run.Figure($"{key}.throttled"), 0, 100);
                }
            }

            Assert.True(run.Figure($"reactivation.start.{n}.after1") > 0, run.Explain);
            Assert.True(run.Figure($"reactivation.start.{n}.after2") > 0, run.Explain);
        }

        // The wake alone, reported apart; every twin was awake before the last restart's first publish
        // and still applied its uplink (the figures of reactivation.2 above).
        Assert.Contains("200 twins active after", run.Output, StringComparison.Ordinal);
        Assert.True(run.Figure("reactivation.wake") > 0, run.Explain);
        Assert.True(run.Figure("reactivation.wake.cpu") > 0, run.Explain);
        Assert.True(run.Figure("reactivation.wake.messages") >= 0, run.Explain);

        Assert.True(run.Figure("reactivation.scaling.2") > 0, run.Explain);
        Assert.Contains(capped ? "| rate with 2 silos / rate with 1 silo, each capped (" : "| rate with 2 silos / rate with 1 silo, sharing this machine's cores (", run.Output, StringComparison.Ordinal);
        Assert.True(run.Figure("reactivation.memory") > 0, run.Explain);
        Assert.Equal(200, run.Result!.RootElement.GetProperty("details").GetProperty("twinsActive").GetInt64());
        if (capped)
        {
            Assert.Contains("cpu.cfs_quota_us=20000 per cpu.cfs_period_us=20000", run.Output, StringComparison.Ordinal);

            // Removed when done: no cgroup of the run is left behind.
            Assert.False(Directory.Exists(CpuCgroup.BenchRoot) && Directory.EnumerateDirectories(CpuCgroup.BenchRoot, "reactivation-*").Any(), run.Explain);
        }
    }

    [Fact]
    public async Task Soak_reports_each_interval_with_nothing_lost_and_every_viewer_connected()
    {
        BenchRun run = await BenchRun.RunAsync(
            "soak", "--duration", "00:00:20", "--interval", "5", "--viewers", "5", "--rate", "100", "--devices", "300", "--pan-seconds", "2", "--view-size", "0.06", "--fill", "600");

        Assert.True(run.ExitCode == 0, run.Explain);
        Assert.Equal(600, run.Result!.RootElement.GetProperty("details").GetProperty("fill").GetInt64());
        JsonElement rows = run.Result!.RootElement.GetProperty("details").GetProperty("rows");
        Assert.True(rows.GetArrayLength() >= 2, run.Explain);
        Assert.Equal(2000, rows.EnumerateArray().Sum(r => r.GetProperty("applied").GetInt64()));
        Assert.All(rows.EnumerateArray(), r =>
        {
            Assert.Equal(5, r.GetProperty("connected").GetInt32());
            Assert.True(r.GetProperty("workingSetBytes").GetInt64() > 0, run.Explain);
            Assert.True(r.GetProperty("threads").GetInt32() > 0, run.Explain);
            Assert.True(r.GetProperty("managedHeapBytes").GetInt64() > 0, run.Explain);
            Assert.True(r.GetProperty("liveHeapBytes").GetInt64() > 0, run.Explain);
        });

        Assert.Equal(2000, run.Figure("soak.published"));
        Assert.Equal(0, run.Figure("soak.lost"));
        Assert.Equal(0, run.Figure("soak.disconnected"));
        Assert.Equal(0, run.Figure("soak.panFailures"));
        Assert.True(run.Figure("soak.pans") > 5, run.Explain);
        // Timing matches each change to its publish by frame counter, which the fill moved on by two rounds.
        Assert.True(run.Figure("soak.timed") > 0, run.Explain);
        Assert.True(run.HasFigure("soak.heap.growth") && run.HasFigure("soak.liveheap.growth") && run.HasFigure("soak.threads.growth") && run.HasFigure("soak.p99.ratio"), run.Explain);

        // One table row per interval plus the whole run's, above the figures.
        Assert.Contains("| interval (end) |", run.Output, StringComparison.Ordinal);
        Assert.Contains("| **whole run** | 2,000 | 2,000 | 5 |", run.Output, StringComparison.Ordinal);
        Assert.Contains("| uplinks lost (published - applied) | 0 | 0 | met |", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failover_kills_a_silo_under_load_and_reports_what_was_lost_when_the_rate_came_back_and_the_dead_session()
    {
        // The kill phase alone: the stopped silo of the other phase is only declared dead after a minute
        // with Orleans' default membership settings, too long for a smoke test (FailoverPartsTests and
        // BrokerSessionTests cover the parts it adds).
        BenchRun run = await BenchRun.RunAsync("failover", "--phases", "kill", "--devices", "200", "--rate", "200", "--duration", "25", "--fault-at", "8");

        Assert.True(run.Result is not null, run.Explain);
        string? notAvailable = run.Result!.RootElement.GetProperty("notAvailable").GetString();
        if (notAvailable is not null)
        {
            Assert.Equal(1, run.ExitCode);
            Assert.Contains("cluster mode", notAvailable, StringComparison.Ordinal);
            return;
        }

        // The run itself went through; what the figures say of the platform is the scenario's finding
        // (a session left at the broker fails the run's exit code, and is no fault of the harness).
        Assert.True(run.Result.RootElement.GetProperty("error").ValueKind == JsonValueKind.Null, run.Explain);
        Assert.Equal(0, run.Figure("failover.kill.warmup.lost"));
        Assert.Equal(5000, run.Figure("failover.kill.published"));
        Assert.Equal(0, run.Figure("failover.kill.lost"));
        Assert.Equal(0, run.Figure("failover.kill.lastFrame"));
        Assert.Equal(1, run.Figure("failover.kill.takeovers"));
        Assert.Equal(1, run.Figure("failover.kill.declaredDead"));
        Assert.InRange(run.Figure("failover.kill.faultAt"), 8, 10);
        Assert.True(run.Figure("failover.kill.takeoverSeen") > 0, run.Explain);
        Assert.True(run.Figure("failover.kill.maxDelay") > 0, run.Explain);
        Assert.True(run.HasFigure("failover.kill.back"), run.Explain);
        Assert.Contains(run.Figure("failover.kill.sessionGone"), new[] { 0.0, 1.0 });
        Assert.False(run.HasFigure("failover.kill.exited"));
        Assert.False(run.HasFigure("failover.stop.published"));

        // The seconds around the fault, above the figures.
        Assert.Contains("| second | published | recorded | backlog at its end |", run.Output, StringComparison.Ordinal);
        Assert.Contains("(fault at ", run.Output, StringComparison.Ordinal);
        Assert.Contains("| kill: uplinks lost (published 5,000 - distinct in uplink_history 5,000) | 0 | 0 | met |", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mistyped_option_is_refused_before_anything_runs()
    {
        BenchRun run = await BenchRun.RunAsync("ingest", "--devcies", "10");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--devcies", run.Errors, StringComparison.Ordinal);
        Assert.Null(run.Result);
    }
}
