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
public sealed class ClusterScenario : IBenchScenario
{
    public string Name => "cluster";

    public string Usage => "cluster [--silos 1,2,3] [--devices 100000] [--uplinks 1000000] [--mix city|streetlights] [--warmup-uplinks DEVICES]";

    public async Task RunAsync(BenchArgs args, BenchReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(report);
        long[] counts = args.LongList("silos", "1,2,3");
        int devices = ScenarioOptions.Positive(args, "devices", 100_000);
        long uplinks = args.Size("uplinks", 1_000_000);
        DeviceMix mix = ScenarioOptions.Mix(args, DeviceMix.City);
        long warmup = args.Size("warmup-uplinks", devices);
        report.Details["devices"] = devices;
        report.Details["warmupUplinks"] = warmup;
        report.Details["uplinks"] = uplinks;
        var runs = new JsonObject();
        report.Details["runs"] = runs;
        var warmups = new JsonObject();
        report.Details["warmups"] = warmups;

        Progress.Say("starting PostgreSQL");
        await using PostgresServer postgres = await PostgresServer.StartAsync(cancellationToken);
        report.Note("PostgreSQL is the test fixture's throwaway server (tests/TwinCity.Testing/PostgresServer.cs), which runs with durability switched off.");
        foreach (long n in counts)
        {
            string connectionString = await postgres.CreateUniqueDatabaseAsync("bench", cancellationToken);
            await using BenchMosquitto mosquitto = await BenchMosquitto.StartAsync(cancellationToken);
            var silos = new List<BenchSilo>();
            try
            {
                try
                {
                    for (int i = 0; i < n; i++)
                    {
                        Progress.Say($"cluster: starting silo {i + 1} of {n}");
                        silos.Add(await BenchSilo.StartAsync(new SiloSettings("127.0.0.1", mosquitto.Port, ConnectionString: connectionString, Name: $"cluster{n}-silo{i + 1}"), cancellationToken));
                    }

                    await WaitForMembersAsync(silos[0], (int)n, cancellationToken);
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException)
                {
                    report.NotAvailable = $"cluster mode (TwinCity__Mode=Cluster) did not come up with {n} silo(s) on this build: {FirstLine(ex.Message)}";
                    report.Details["clusterFailure"] = ex.Message;
                    return;
                }

                await IngestScenario.ProvisionAsync(silos[0], devices, mix, cancellationToken);
                UplinkRun.WarmedRun warmed = await UplinkRun.RunWarmedAsync(
                    $"cluster of {n}",
                    new PublishPlan(mosquitto.Port, devices, uplinks, mix),
                    warmup,
                    silos[0].AppliedAsync,
                    () => silos.Sum(s => s.CpuSeconds()) + mosquitto.CpuSeconds(),
                    TimeSpan.FromSeconds(1),
                    cancellationToken);
                UplinkRunResult run = warmed.Timed;
                string key = n.ToString(CultureInfo.InvariantCulture);
                runs[key] = IngestScenario.Describe(run);
                if (warmed.Warmup is { } warm)
                {
                    warmups[key] = IngestScenario.Describe(warm);
                    IngestScenario.AddWarmupFigures(report, warm, $"cluster.{n}", $"{n} silo(s)");
                }

                (double rate, double window) = run.Sustained;
                report.Add($"cluster.{n}.rate", $"{n} silo(s): uplinks applied per second, sustained", rate, "/s", "N0", Target.AtLeast(IngestScenario.RateTarget, ">= 50,000 /s"),
                    string.Create(CultureInfo.InvariantCulture, $"over {window:0.0} s"));
                report.Add($"cluster.{n}.cpu", $"{n} silo(s): CPU seconds per 1,000 uplinks", run.TargetCpuSeconds / Math.Max(1, run.Counted) * 1000, "s", "0.000", null, "all silos and mosquitto");
                report.Add($"cluster.{n}.lost", $"{n} silo(s): uplinks lost (published {run.Published:N0} - applied {run.Counted:N0})", run.Published - run.Counted, string.Empty, "N0", Target.Exactly(0, "0"));
                if (run.Problem is not null)
                {
                    report.Note($"{n} silo(s): {run.Problem}");
                }
            }
            finally
            {
                foreach (BenchSilo silo in silos)
                {
                    await silo.DisposeAsync();
                }
            }
        }
    }

    private static async Task WaitForMembersAsync(BenchSilo silo, int expected, CancellationToken cancellationToken)
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

    private static string FirstLine(string text)
    {
        int end = text.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }
}
