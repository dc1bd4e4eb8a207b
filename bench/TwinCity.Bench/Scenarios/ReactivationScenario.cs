using System.Diagnostics;
using System.Globalization;
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
public sealed class ReactivationScenario : IBenchScenario
{
    /// <summary>Twins woken and applying an uplink per second after a full restart.</summary>
    public const double RateTarget = 10_000;

    public string Name => "reactivation";

    public string Usage => "reactivation [--silos 3] [--devices 100000] [--mix city] [--restarts 1] [--uplinks-before 0] [--no-jit-profile] [--hold 0] [--ready-to-run] [--wake-first]";

    public async Task RunAsync(BenchArgs args, BenchReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(report);
        int n = ScenarioOptions.Positive(args, "silos", 3);
        int devices = ScenarioOptions.Positive(args, "devices", 100_000);
        DeviceMix mix = ScenarioOptions.Mix(args, DeviceMix.City);
        int hold = args.Count("hold", 0);
        bool wakeFirst = args.Flag("wake-first");

        // Uplinks (one per device, at most) the city takes before its first restart; by default none.
        int uplinksBefore = Math.Min(args.Count("uplinks-before", 0), devices);

        // Restarts in a row (by default one): the first restart's silos follow silos that only
        // provisioned the city; a second's follow silos that woke it, and so find the code for it in
        // their JIT profiles, as a city restarted before would. The last restart's figures are held
        // against the targets.
        int restarts = ScenarioOptions.Positive(args, "restarts", 1);
        bool jitProfile = !args.Flag("no-jit-profile");
        await ReadyToRunSilo.UseIfAskedAsync(args, report, cancellationToken);
        report.Details["silos"] = n;
        report.Details["devices"] = devices;
        report.Details["uplinksBefore"] = uplinksBefore;
        report.Details["restarts"] = restarts;
        report.Details["jitProfile"] = jitProfile;

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
            await RunAsync(n, devices, mix, uplinksBefore, restarts, profiles, hold, wakeFirst, postmaster, connectionString, mosquitto, report, cancellationToken);
        }
        finally
        {
            if (profiles is not null)
            {
                Directory.Delete(profiles, recursive: true);
            }
        }
    }

    private static async Task RunAsync(
        int n, int devices, DeviceMix mix, int uplinksBefore, int restarts, string? profiles, int hold, bool wakeFirst,
        int postmaster, string connectionString, BenchMosquitto mosquitto, BenchReport report, CancellationToken cancellationToken)
    {
        List<BenchSilo> first = await StartSilosAsync(n, "before the restart", "before", mosquitto.Port, connectionString, profiles, report, cancellationToken);
        var clock = Stopwatch.StartNew();
        double provisioning;
        try
        {
            await IngestScenario.ProvisionAsync(first[0], devices, mix, cancellationToken);
            provisioning = clock.Elapsed.TotalSeconds;
            if (uplinksBefore > 0)
            {
                UplinkRunResult heard = await UplinkRun.RunAsync(
                    $"the city before the restart: {uplinksBefore:N0} uplinks",
                    new PublishPlan(mosquitto.Port, devices, uplinksBefore, mix, FirstFCnt: 1),
                    ct => HistoryRowsAsync(connectionString, 1, ct),
                    new ClusterLoad(first, mosquitto, postmaster).TotalCpuSeconds,
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

        report.Add("reactivation.provisioning", $"{n} silo(s): devices provisioned per second (registration and twin snapshot each)", devices / provisioning, "/s", "N0", null,
            string.Create(CultureInfo.InvariantCulture, $"{devices:N0} devices in {provisioning:0.0} s"));

        clock.Restart();
        await StopAsync(first);
        report.Add("reactivation.stop", $"{n} silo(s) stopped with SIGTERM, one after another: seconds", clock.Elapsed.TotalSeconds, "s", "0.0");

        // Each restart's uplinks carry the next frame counter, and only they are counted for it.
        uint frame = uplinksBefore > 0 ? 2u : 1u;
        for (int restart = 1; restart <= restarts; restart++, frame++)
        {
            bool last = restart == restarts;
            List<BenchSilo> again = await StartSilosAsync(n, $"after restart {restart}", $"after{restart}", mosquitto.Port, connectionString, profiles, report, cancellationToken);
            try
            {
                await RestartAsync(again, restart, last, frame, devices, mix, wakeFirst, postmaster, connectionString, mosquitto, report, cancellationToken);
                if (last && hold > 0)
                {
                    // For a look inside while every twin is awake: a heap dump (dotnet-gcdump collect -p PID), the silos' /metrics.
                    Progress.Say($"reactivation: holding the silos for {hold} s (process ids {string.Join(", ", again.Select(s => s.ProcessId))})");
                    await Task.Delay(TimeSpan.FromSeconds(hold), cancellationToken);
                }
            }
            finally
            {
                await StopAsync(again);
            }
        }

        report.Note("The rate runs from the first publish to the latest inserted_at of the history (PostgreSQL's clock on this machine), so it counts each twin's wake, its uplink and the durable write of its history row; starting the silos is not in it.");
        report.Note(uplinksBefore > 0
            ? string.Create(CultureInfo.InvariantCulture, $"Before the first restart the city took {uplinksBefore:N0} uplinks (frame 1).")
            : "The city was provisioned and restarted without taking an uplink first.");
        if (restarts > 1)
        {
            report.Note(string.Create(CultureInfo.InvariantCulture, $"The city was restarted {restarts} times, each time with one new uplink per device; the figures without a restart number are the last restart's, those with one are the earlier restarts'. The first restart's silos follow silos that only provisioned the city; each later restart's follow silos that woke it."));
        }

        report.Note(profiles is not null
            ? "Each silo kept a JIT profile (JitProfile:Directory, as the README asks of cluster silos): after a restart it compiled, on a thread of its own from its start, the methods its predecessor had compiled."
            : "The silos kept no JIT profile (--no-jit-profile): after each restart they compiled their code as it first ran.");
    }

    /// <summary>One restart measured: one uplink per device to silos just started, until every twin has applied it.</summary>
    private static async Task RestartAsync(
        List<BenchSilo> silos, int restart, bool last, uint frame, int devices, DeviceMix mix, bool wakeFirst,
        int postmaster, string connectionString, BenchMosquitto mosquitto, BenchReport report, CancellationToken cancellationToken)
    {
        int n = silos.Count;
        string key = last ? "reactivation" : $"reactivation.restart{restart}";
        string which = last ? "" : string.Create(CultureInfo.InvariantCulture, $" (restart {restart})");
        long liveBefore = last ? await LiveHeapAsync(silos, cancellationToken) : 0;
        var load = new ClusterLoad(silos, mosquitto, postmaster);
        if (wakeFirst && last)
        {
            await WakeAloneAsync(silos, load, devices, report, cancellationToken);
        }

        var window = new ClusterWindow(load, []);
        DateTime started = DateTime.UtcNow;
        UplinkRunResult run = await UplinkRun.RunAsync(
            $"re-activation {restart} of {devices:N0} twins on {n} silo(s)",
            new PublishPlan(mosquitto.Port, devices, devices, mix, FirstFCnt: frame),
            ct => HistoryRowsAsync(connectionString, frame, ct),
            load.TotalCpuSeconds,
            TimeSpan.FromSeconds(1),
            window,
            cancellationToken);
        (long rows, DateTime? lastRow) = await LastRowAsync(connectionString, frame, cancellationToken);
        report.Details[last ? "run" : $"run{restart}"] = IngestScenario.Describe(run);

        double seconds = lastRow is DateTime at ? (at - started).TotalSeconds : double.NaN;
        report.Add(key + ".rate", $"{n} silo(s) after a full restart{which}: twins woken and applying one uplink per second", rows / seconds, "/s", "N0",
            last ? Target.AtLeast(RateTarget, ">= 10,000 /s") : null,
            string.Create(CultureInfo.InvariantCulture, $"{rows:N0} twins, first publish to the last history row written in {seconds:0.0} s"));
        report.Add(key + ".lost", $"uplinks lost{which} (published {run.Published:N0} - in the history {rows:N0})", run.Published - rows, string.Empty, "N0", Target.Exactly(0, "0"));

        ClusterCpu cpu = window.Cpu ?? throw new InvalidOperationException("the window was not closed");
        SiloMessaging messaging = SiloMessaging.Sum(window.Messaging ?? throw new InvalidOperationException("the window was not closed"));
        report.Add(key + ".cpu", $"CPU milliseconds per twin woken{which}, all processes", cpu.Total * 1000 / Math.Max(1, rows), "ms", "0.00", null,
            string.Create(CultureInfo.InvariantCulture, $"silos {cpu.SilosTotal:0.00} s, mosquitto {cpu.Mosquitto:0.00} s, PostgreSQL {cpu.Postgres:0.00} s"));
        report.Add(key + ".messages", $"messages between silos per twin woken{which}", messaging.SentToSilos / Math.Max(1, rows), string.Empty, "0.00", null,
            string.Create(CultureInfo.InvariantCulture, $"{messaging.SentToSilos:N0} sent silo to silo ({messaging.OneWayToSilos:N0} one-way), {messaging.ForwardBatches:N0} batches of uplinks passed to their devices' silos, {messaging.CellBatches:N0} batches of cell changes"));
        if (run.Problem is not null)
        {
            report.Note(run.Problem);
        }

        if (!last)
        {
            return;
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

    private static async Task<List<BenchSilo>> StartSilosAsync(int n, string phase, string tag, int mqttPort, string connectionString, string? profiles, BenchReport report, CancellationToken cancellationToken)
    {
        var silos = new List<BenchSilo>();
        try
        {
            var clock = new Stopwatch();
            for (int i = 0; i < n; i++)
            {
                Progress.Say($"reactivation: starting silo {i + 1} of {n} ({phase})");
                clock.Start();
                Dictionary<string, string>? settings = profiles is null ? null : new()
                {
                    ["JitProfile__Directory"] = profiles,
                    ["JitProfile__Name"] = $"silo-{i + 1}.jitprofile",
                };
                silos.Add(await BenchSilo.StartAsync(new SiloSettings("127.0.0.1", mqttPort, ConnectionString: connectionString, Name: $"reactivation-{tag}-{i + 1}", Settings: settings), cancellationToken));
                clock.Stop();
            }

            report.Add($"reactivation.start.{tag}", $"a silo's start {phase}, from its process starting to its answering: seconds, mean of {n}", clock.Elapsed.TotalSeconds / n, "s", "0.0");

            await ClusterScenario.WaitForMembersAsync(silos[0], n, cancellationToken);
            return silos;
        }
        catch
        {
            await StopAsync(silos);
            throw;
        }
    }

    /// <summary>Stops the silos one after another, each with SIGTERM (its twins write their snapshots as it leaves).</summary>
    private static async Task StopAsync(List<BenchSilo> silos)
    {
        foreach (BenchSilo silo in silos)
        {
            await silo.DisposeAsync();
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
