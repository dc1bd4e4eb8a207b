using System.Globalization;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Engine;
using TwinCity.Bench.Load;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Reporting;
using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Scenarios;

/// <summary>
/// The limits of this rig: the publisher and broker with a subscriber that only counts, and the
/// empty-grain call rate of a silo of the same configuration.
/// </summary>
public sealed class BaselineScenario : IBenchScenario
{
    public string Name => "baseline";

    public string Usage => "baseline [--devices 100000] [--uplinks 2000000] [--broker embedded|mosquitto] [--warmup-uplinks DEVICES] [--grain-seconds 10] [--grains 10000] [--concurrency 1000]";

    public async Task RunAsync(BenchArgs args, BenchReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(report);
        int devices = ScenarioOptions.Positive(args, "devices", 100_000);
        long uplinks = args.Size("uplinks", 2_000_000);
        BrokerKind broker = ScenarioOptions.Broker(args);
        DeviceMix mix = ScenarioOptions.Mix(args, DeviceMix.City);
        TimeSpan grainTime = args.Seconds("grain-seconds", 10);
        int grains = ScenarioOptions.Positive(args, "grains", 10_000);
        int concurrency = ScenarioOptions.Positive(args, "concurrency", 1000);
        long warmup = args.Size("warmup-uplinks", devices);
        report.Details["devices"] = devices;
        report.Details["uplinks"] = uplinks;
        report.Details["broker"] = broker.ToString().ToLowerInvariant();

        UplinkRun.WarmedRun counted = await BaselineRun.RunAsync(broker, devices, uplinks, mix, warmup, cancellationToken);
        UplinkRunResult run = counted.Timed;
        report.Details["baseline"] = IngestScenario.Describe(run);
        if (counted.Warmup is { } warm)
        {
            report.Details["baselineWarmup"] = IngestScenario.Describe(warm);
            report.Add("baseline.warmup.lost", "warm-up, before the timed run: uplinks lost (published - received)", warm.Published - warm.Counted, string.Empty, "N0", Target.Exactly(0, "0"));
        }

        (double rate, double window) = run.Sustained;
        report.Add("baseline.rate", "bare subscriber: uplinks received per second, sustained", rate, "/s", "N0", null,
            string.Create(CultureInfo.InvariantCulture, $"over {window:0.0} s"));
        report.Add("baseline.cpu", "broker CPU seconds per 1,000 uplinks", run.TargetCpuSeconds / Math.Max(1, run.Counted) * 1000, "s", "0.000", null,
            broker == BrokerKind.Embedded ? "silo process hosting the broker" : "mosquitto");
        report.Add("baseline.published", "uplinks published (PUBACK)", run.Published, string.Empty, "N0");
        report.Add("baseline.received", "uplinks received by the subscriber", run.Counted, string.Empty, "N0");
        report.Add("baseline.lost", "uplinks lost (published - received)", run.Published - run.Counted, string.Empty, "N0", Target.Exactly(0, "0"));
        if (run.Problem is not null)
        {
            report.Note($"baseline: {run.Problem}");
        }

        Progress.Say($"empty-grain calls for {grainTime.TotalSeconds:0} s over {grains:N0} grains, {concurrency:N0} at a time");
        (double calls, long total, double seconds) = await EngineRate.MeasureAsync(grainTime, grains, concurrency, cancellationToken);
        report.Add("baseline.grainCalls", "empty-grain calls per second (in-silo, same configuration)", calls, "/s", "N0", null,
            string.Create(CultureInfo.InvariantCulture, $"{total:N0} calls in {seconds:0.0} s"));
    }
}
