using System.Diagnostics;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Reporting;
using TwinCity.Bench.Rig;
using TwinCity.Bench.Scenarios;
using TwinCity.Testing;

namespace TwinCity.Bench.Tests;

/// <summary>What the cluster scenario's cost figures rest on: reading Orleans' and the twins' meters, adding CPU over a process tree, the cap's settings.</summary>
public sealed class ClusterMeasureTests
{
    // As the OpenTelemetry Prometheus exporter writes Orleans' meters: the histogram's unit ("bytes") before _count.
    private const string Scrape = """
        # TYPE orleans_messaging_sent_messages_size_bytes histogram
        orleans_messaging_sent_messages_size_bytes_bucket{otel_scope_name="Microsoft.Orleans",ConnectionDirection="SiloToSilo",MessageDirection="Request",silo="S127.0.0.1:40001:1",le="+Inf"} 120 1764393600000
        orleans_messaging_sent_messages_size_bytes_sum{otel_scope_name="Microsoft.Orleans",ConnectionDirection="SiloToSilo",MessageDirection="Request",silo="S127.0.0.1:40001:1"} 30000 1764393600000
        orleans_messaging_sent_messages_size_bytes_count{otel_scope_name="Microsoft.Orleans",ConnectionDirection="SiloToSilo",MessageDirection="Request",silo="S127.0.0.1:40001:1"} 120 1764393600000
        orleans_messaging_sent_messages_size_bytes_count{otel_scope_name="Microsoft.Orleans",ConnectionDirection="SiloToSilo",MessageDirection="Response",silo="S127.0.0.1:40001:1"} 30 1764393600000
        orleans_messaging_sent_messages_size_bytes_count{otel_scope_name="Microsoft.Orleans",ConnectionDirection="GatewayToClient",MessageDirection="Response"} 7 1764393600000
        # TYPE orleans_messaging_sent_local_total counter
        orleans_messaging_sent_local_total{otel_scope_name="Microsoft.Orleans"} 5000 1764393600000
        # TYPE orleans_messaging_pings_sent_total counter
        orleans_messaging_pings_sent_total{otel_scope_name="Microsoft.Orleans",Destination="S127.0.0.1:40001:1"} 12 1764393600000
        """;

    private const string Placements = """
        # TYPE twincity_twins_uplinks_total counter
        twincity_twins_uplinks_total{otel_scope_name="TwinCity.Twins",kind="streetlight",placement="local"} 900 1764393600000
        twincity_twins_uplinks_total{otel_scope_name="TwinCity.Twins",kind="water-meter",placement="local"} 60 1764393600000
        twincity_twins_uplinks_total{otel_scope_name="TwinCity.Twins",kind="streetlight",placement="remote"} 40 1764393600000
        """;

    [Fact]
    public void Messages_between_silos_are_the_histograms_count_over_silo_to_silo_series_only()
    {
        SiloMessaging m = SiloMessaging.Parse(Scrape);

        // Requests and responses to silos; not the message to a client, not the bucket or the byte sum.
        Assert.Equal(150, m.SentToSilos);
        Assert.Equal(5000, m.SentLocal);
        Assert.Equal(12, m.PingsSent);
    }

    [Fact]
    public void What_the_messages_carried_is_read_from_the_batch_counters_and_the_one_way_series()
    {
        const string Carried = """
            orleans_messaging_sent_messages_size_bytes_count{otel_scope_name="Microsoft.Orleans",ConnectionDirection="SiloToSilo",MessageDirection="OneWay",silo="S127.0.0.1:40001:1"} 9 1764393600000
            orleans_messaging_sent_messages_size_bytes_count{otel_scope_name="Microsoft.Orleans",ConnectionDirection="GatewayToClient",MessageDirection="OneWay"} 4 1764393600000
            twincity_ingest_forward_batches_total{otel_scope_name="TwinCity.Ingest"} 31 1764393600000
            twincity_cells_relay_batches_total{otel_scope_name="TwinCity.Cells"} 17 1764393600000
            """;

        SiloMessaging m = SiloMessaging.Parse(Scrape + "\n" + Carried);

        Assert.Equal(159, m.SentToSilos);
        Assert.Equal(9, m.OneWayToSilos);
        Assert.Equal(31, m.ForwardBatches);
        Assert.Equal(17, m.CellBatches);
        SiloMessaging twice = SiloMessaging.Sum([m, m]).Minus(m);
        Assert.Equal((9, 31, 17), (twice.OneWayToSilos, twice.ForwardBatches, twice.CellBatches));
    }

    [Fact]
    public void A_silo_that_has_sent_nothing_to_another_counts_zero_messages()
    {
        // Orleans makes the histogram's series on the first message; one silo alone never does.
        SiloMessaging m = SiloMessaging.Parse("orleans_messaging_sent_local_total{otel_scope_name=\"Microsoft.Orleans\"} 10 1764393600000\n");

        Assert.Equal(0, m.SentToSilos);
        Assert.Equal(10, m.SentLocal);
        Assert.Equal(0, m.PingsSent);
    }

    [Fact]
    public void Twin_uplinks_by_placement_are_read_when_the_silo_exports_them()
    {
        SiloMessaging m = SiloMessaging.Parse(Scrape + Placements);

        Assert.Equal(960, m.TwinUplinksLocal);
        Assert.Equal(40, m.TwinUplinksRemote);
        Assert.Equal(0.96, m.LocalShare!.Value, 6);
    }

    [Fact]
    public void Without_the_twins_placement_counter_the_share_is_not_available_rather_than_zero()
    {
        SiloMessaging before = SiloMessaging.Parse(Scrape);
        SiloMessaging after = SiloMessaging.Parse(Scrape);

        Assert.Null(after.TwinUplinksLocal);
        Assert.Null(after.LocalShare);
        Assert.Null(after.Minus(before).LocalShare);
        Assert.Null(SiloMessaging.Sum([SiloMessaging.Parse(Scrape + Placements), after]).LocalShare);
    }

    [Fact]
    public void The_time_a_silo_spent_compiling_is_read_from_the_runtime_meter_and_is_null_where_not_exported()
    {
        SiloMessaging before = SiloMessaging.Parse(Scrape + "\ndotnet_jit_compilation_time_seconds_total{otel_scope_name=\"System.Runtime\"} 12.5 1764393600000\n");
        SiloMessaging after = SiloMessaging.Parse(Scrape + "\ndotnet_jit_compilation_time_seconds_total{otel_scope_name=\"System.Runtime\"} 14.0 1764393610000\n");

        Assert.Equal(1.5, after.Minus(before).JitSeconds);
        Assert.Equal(14.0, SiloMessaging.Sum([after]).JitSeconds);
        Assert.Null(SiloMessaging.Parse(Scrape).JitSeconds);
        Assert.Null(SiloMessaging.Sum([after, SiloMessaging.Parse(Scrape)]).JitSeconds);
    }

    [Fact]
    public void A_silo_whose_uplinks_all_stayed_local_has_no_remote_series_yet_and_reads_as_all_local()
    {
        SiloMessaging m = SiloMessaging.Parse("twincity_twins_uplinks_total{placement=\"local\"} 25\n");

        Assert.Equal(0, m.TwinUplinksRemote);
        Assert.Equal(1.0, m.LocalShare);
    }

    [Fact]
    public void The_window_takes_the_change_and_the_sum_over_silos()
    {
        SiloMessaging start = SiloMessaging.Parse(Scrape + Placements);
        SiloMessaging end = SiloMessaging.Parse(Scrape.Replace("} 120 ", "} 170 ", StringComparison.Ordinal) + Placements.Replace("} 40 ", "} 140 ", StringComparison.Ordinal));

        // The bucket line moved as well; only the _count series counts messages.
        SiloMessaging delta = end.Minus(start);
        Assert.Equal(50, delta.SentToSilos);
        Assert.Equal(0, delta.TwinUplinksLocal);
        Assert.Equal(100, delta.TwinUplinksRemote);

        SiloMessaging sum = SiloMessaging.Sum([delta, new SiloMessaging(20, 0, 2, 300, 0)]);
        Assert.Equal(70, sum.SentToSilos);
        Assert.Equal(2, sum.PingsSent);
        Assert.Equal(0.75, sum.LocalShare);
    }

    [Theory]
    [InlineData("4321 (postgres) S 4300 4321 4321 0 -1 4194560 900 0 0 0 150 30 7 3 20 0 1 0 100 0 0", 4321, 4300, 150, 30, 7, 3)]
    [InlineData("77 (a (weird) name) R 1 77 77 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1 0 0", 77, 1, 5, 6, 0, 0)]
    public void A_proc_stat_line_gives_the_parent_and_the_times_even_with_spaces_and_parentheses_in_the_name(string line, int pid, int parent, long user, long system, long childrenUser, long childrenSystem)
    {
        ProcessStat stat = ProcessStat.Parse(line)!.Value;

        Assert.Equal(new ProcessStat(pid, parent, user, system, childrenUser, childrenSystem), stat);
    }

    [Fact]
    public void A_process_trees_cpu_is_every_live_descendants_plus_what_each_reaped()
    {
        ProcessStat[] all =
        [
            new(100, 1, 100, 50, 30, 20),   // postmaster: 1.5 s its own, 0.5 s of backends that exited
            new(101, 100, 200, 100, 0, 0),  // a backend
            new(102, 100, 10, 10, 0, 0),    // checkpointer
            new(103, 102, 5, 5, 0, 0),      // a grandchild, should one exist
            new(200, 1, 9999, 9999, 0, 0),  // another program
        ];

        Assert.Equal(5.3, ProcessCpu.TreeSeconds(all, 100), 6);
        Assert.Equal(0.3, ProcessCpu.TreeSeconds(all, 102), 6);
        Assert.True(double.IsNaN(ProcessCpu.TreeSeconds(all, 999)));
    }

    [Fact]
    public void The_tree_of_a_real_process_takes_in_the_cpu_of_children_it_started()
    {
        // A shell that busies two children for a moment and waits for them: their time comes back to it when they end.
        using var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "for i in 1 2; do (i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done) & done; wait; sleep 5"]) { UseShellExecute = false })!;
        try
        {
            double own = 0, tree = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(4) && tree < 0.05)
            {
                Thread.Sleep(100);
                own = ProcessCpu.Seconds(shell.Id);
                tree = ProcessCpu.TreeSeconds(shell.Id);
            }

            Assert.True(tree >= 0.05, $"tree {tree} s");
            Assert.True(tree > own, $"tree {tree} s, own {own} s");
        }
        finally
        {
            shell.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void A_named_threads_cpu_is_read_apart_from_the_rest_of_its_process_under_its_own_thread_id()
    {
        // A thread of this process named as the runtime names its own (longer than the 15 characters
        // Linux keeps), busy until the reading shows a fifth of a second of its CPU: on a loaded
        // machine that takes longer than it would alone.
        using var stop = new CancellationTokenSource();
        var busy = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Thread.SpinWait(1000);
            }
        }) { Name = "bench-busy-thread-with-a-long-name", IsBackground = true };
        busy.Start();
        try
        {
            Dictionary<int, double>? threads = null;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(20) && (threads is not { Count: 1 } || threads.Values.Single() < 0.2))
            {
                Thread.Sleep(50);
                threads = ProcessCpu.ThreadsSeconds(Environment.ProcessId, "bench-busy-thre");
            }

            Assert.NotNull(threads);
            (int id, double seconds) = Assert.Single(threads);
            Assert.NotEqual(Environment.ProcessId, id);
            Assert.InRange(seconds, 0.2, ProcessCpu.Seconds(Environment.ProcessId));
            Assert.Empty(ProcessCpu.ThreadsSeconds(Environment.ProcessId, "no-such-thread")!);
            Assert.Null(ProcessCpu.ThreadsSeconds(int.MaxValue, "bench-busy-thre"));
        }
        finally
        {
            stop.Cancel();
            busy.Join();
        }
    }

    [Fact]
    public void A_compilation_thread_the_runtime_ended_and_started_again_is_not_taken_for_a_fall()
    {
        // Silo 1's thread 11 ran 3 s more; silo 2's thread 21 ended (5 s) and thread 22 has run 0.5 s since.
        var earlier = new ClusterCpu([10, 20], 1, 2, 7) { TieredThreads = new Dictionary<long, double> { [(1L << 32) | 11] = 2, [(2L << 32) | 21] = 5 } };
        var later = new ClusterCpu([15, 26], 2, 3, 5.5) { TieredThreads = new Dictionary<long, double> { [(1L << 32) | 11] = 5, [(2L << 32) | 22] = 0.5 } };

        ClusterCpu window = later.Minus(earlier);

        Assert.Equal(3.5, window.TieredCompilation, 6);
        Assert.Equal(11, window.SilosTotal, 6);

        // Read as sums only, the same two readings would say the threads gave back 1.5 s.
        Assert.Equal(-1.5, (later with { TieredThreads = null }).Minus(earlier with { TieredThreads = null }).TieredCompilation, 6);
    }

    [Theory]
    [InlineData(new[] { "/usr/lib/postgresql/15/bin/postgres", "-D", "/tmp/twincity-pg-1/data", "-p", "5433", "-k", "/tmp/twincity-pg-1/run" }, 5433, true)]
    [InlineData(new[] { "/usr/lib/postgresql/15/bin/postgres", "-D", "/tmp/twincity-pg-1/data", "-p", "5433" }, 5434, false)]
    [InlineData(new[] { "postgres: checkpointer " }, 5433, false)]
    [InlineData(new[] { "/usr/lib/postgresql/15/bin/pg_ctl", "-D", "/tmp/d", "-o", "-p 5433", "start" }, 5433, false)]
    public void The_postmaster_is_the_postgres_binary_started_on_the_servers_port(string[] arguments, int port, bool expected)
    {
        Assert.Equal(expected, PostgresProcesses.IsPostmaster(arguments, port));
    }

    [Theory]
    [InlineData(0.4, 40_000)]
    [InlineData(0.5, 50_000)]
    [InlineData(1.5, 150_000)]
    [InlineData(0.001, 1_000)]
    public void A_share_of_a_core_is_a_quota_per_100_ms_period(double cores, long quota)
    {
        Assert.Equal(quota, CpuCgroup.QuotaFor(cores));
    }

    [Theory]
    [InlineData(0.25, 10_000, 2_500)]
    [InlineData(0.4, 1_000, 1_000)]
    [InlineData(1.5, 1_000_000, 1_500_000)]
    public void The_quota_is_the_share_of_each_period(double cores, long period, long quota)
    {
        // The kernel takes no quota under 1 ms, whatever the period.
        Assert.Equal(quota, CpuCgroup.QuotaFor(cores, period));
    }

    [Theory]
    [InlineData(null, 100_000)]
    [InlineData("10", 10_000)]
    [InlineData("2.5", 2_500)]
    [InlineData("1000", 1_000_000)]
    public void The_cap_period_is_the_kernels_100_ms_unless_given(string? text, long expected)
    {
        string[] args = text is null ? ["cluster", "--cpu-per-silo", "0.25"] : ["cluster", "--cpu-per-silo", "0.25", "--cpu-period-ms", text];
        Assert.Equal(expected, ClusterScenario.CpuPeriodMicroseconds(BenchArgs.Parse(args)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.5")]
    [InlineData("1001")]
    [InlineData("short")]
    public void A_cap_period_the_kernel_would_refuse_is_refused_before_anything_starts(string text)
    {
        Assert.Throws<BenchUsageException>(() => ClusterScenario.CpuPeriodMicroseconds(BenchArgs.Parse(["cluster", "--cpu-per-silo", "0.25", "--cpu-period-ms", text])));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.001")]
    [InlineData("1000")]
    [InlineData("most")]
    public void A_cap_that_is_no_share_of_the_cores_here_is_refused_before_anything_starts(string text)
    {
        Assert.Throws<BenchUsageException>(() => ClusterScenario.CpuPerSilo(BenchArgs.Parse(["cluster", "--cpu-per-silo", text])));
    }

    [Fact]
    public void Without_the_option_the_silos_run_uncapped()
    {
        Assert.Null(ClusterScenario.CpuPerSilo(BenchArgs.Parse(["cluster"])));
        Assert.Equal(0.4, ClusterScenario.CpuPerSilo(BenchArgs.Parse(["cluster", "--cpu-per-silo", "0.4"])));
    }

    [Theory]
    [InlineData("cluster")]
    [InlineData("reactivation")]
    public void A_cap_period_without_a_cap_is_refused_and_both_are_read_together(string scenario)
    {
        Assert.Throws<BenchUsageException>(() => ClusterScenario.CpuCap(BenchArgs.Parse([scenario, "--cpu-period-ms", "20"])));
        Assert.Equal((0.4, 20_000L), ClusterScenario.CpuCap(BenchArgs.Parse([scenario, "--cpu-per-silo", "0.4", "--cpu-period-ms", "20"])));
        Assert.Equal(((double?)null, CpuCgroup.DefaultPeriodMicroseconds), ClusterScenario.CpuCap(BenchArgs.Parse([scenario])));
    }

    [Theory]
    [InlineData(3, 2.5)]
    [InlineData(2, 1.6667)]
    [InlineData(6, 5.0)]
    public void Capped_silos_should_scale_to_five_sixths_of_their_count(long silos, double target)
    {
        Assert.Equal(target, ClusterScenario.ScalingTarget(silos), 4);
    }

    [Fact]
    public void A_figure_the_build_cannot_give_says_so_with_no_number_and_no_status()
    {
        var report = new BenchReport("cluster", ["test"]);
        report.AddUnavailable("cluster.2.local", "2 silo(s): share", "not exported");

        Assert.Contains("| 2 silo(s): share (not exported) | not available |  |  |", report.ToMarkdown(), StringComparison.Ordinal);
        Assert.Null(report.ToJson()["figures"]![0]!["value"]);
        Assert.False(report.Failed);
    }

    [Fact]
    public void A_program_whose_cgroup_cannot_be_joined_never_runs()
    {
        ProcessStartInfo start = CgroupStart.For("/bin/echo", "/nonexistent/twincity-bench/cgroup.procs");
        start.ArgumentList.Add("ran");
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(CgroupStart.JoinFailedExitCode, process.ExitCode);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public void A_cgroup_is_made_with_its_quota_holds_a_process_and_is_removed_after_it_exits()
    {
        if (CpuCgroup.Unavailable() is { } why)
        {
            // Not root or no cgroup v1 cpu controller here: the scenario refuses the capped mode (see the smoke test).
            Assert.False(string.IsNullOrWhiteSpace(why));
            return;
        }

        string name = $"test-{Environment.ProcessId}-{Guid.NewGuid():N}"[..30];
        using (CpuCgroup cgroup = CpuCgroup.Create(name, 0.3, periodMicroseconds: 10_000))
        {
            Assert.Equal("3000", File.ReadAllText(Path.Combine(cgroup.Path, "cpu.cfs_quota_us")).Trim());
            Assert.Equal("10000", File.ReadAllText(Path.Combine(cgroup.Path, "cpu.cfs_period_us")).Trim());
            // Started in it as the bench starts a silo: the shell joins, then becomes the program.
            ProcessStartInfo start = CgroupStart.For("/bin/sleep", cgroup.ProcsFile);
            start.ArgumentList.Add("30");
            start.UseShellExecute = false;
            using var sleeper = Process.Start(start)!;
            string id = sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(10)
                && !(File.ReadAllLines(Path.Combine(cgroup.Path, "cgroup.procs")).Contains(id) && File.ReadAllText($"/proc/{id}/comm").Trim() == "sleep"))
            {
                Thread.Sleep(20);
            }

            Assert.Contains(id, File.ReadAllLines(Path.Combine(cgroup.Path, "cgroup.procs")));
            Assert.Equal("sleep", File.ReadAllText($"/proc/{id}/comm").Trim());
            sleeper.Kill();
            sleeper.WaitForExit();
        }

        Assert.False(Directory.Exists(Path.Combine(CpuCgroup.BenchRoot, name)));
        CpuCgroup.RemoveBenchRootIfEmpty();
    }
}
