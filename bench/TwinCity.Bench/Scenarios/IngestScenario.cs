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
/// MQTT to twin applied: N provisioned devices, M uplinks from the publisher process as fast as the
/// rig allows, counted at the far end by ingest's own applied count. The baseline runs first in the
/// same run (same publisher, same broker, a bare subscriber), so the share is taken under the same load.
/// </summary>
/// <remarks>
/// Both runs start with a warm-up that is timed and reported apart: by default one uplink for every
/// device, so each twin is active and the processes' code is compiled before the sustained rate is
/// taken, as in a city that has been running for a while. <c>--warmup-uplinks 0</c> times a cold start.
/// </remarks>
public sealed class IngestScenario : IBenchScenario
{
    public const double RateTarget = 50_000;
    public const double ShareTarget = 0.7;

    public string Name => "ingest";

    public string Usage => "ingest [--devices 100000] [--uplinks 2000000] [--broker embedded|mosquitto] [--mix city|streetlights] [--warmup-uplinks DEVICES] [--no-baseline] [--baseline-uplinks UPLINKS]";

    public async Task RunAsync(BenchArgs args, BenchReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(report);
        int devices = ScenarioOptions.Positive(args, "devices", 100_000);
        long uplinks = args.Size("uplinks", 2_000_000);
        BrokerKind broker = ScenarioOptions.Broker(args);
        DeviceMix mix = ScenarioOptions.Mix(args, DeviceMix.City);
        bool baseline = !args.Flag("no-baseline");
        long baselineUplinks = args.Size("baseline-uplinks", uplinks);
        long warmup = args.Size("warmup-uplinks", devices);
        report.Details["devices"] = devices;
        report.Details["warmupUplinks"] = warmup;
        report.Details["uplinks"] = uplinks;
        report.Details["broker"] = broker.ToString().ToLowerInvariant();
        report.Details["mix"] = mix.ToString().ToLowerInvariant();

        UplinkRunResult? limit = null;
        if (baseline)
        {
            Progress.Say($"baseline: {baselineUplinks:N0} uplinks through {broker} to a bare subscriber");
            UplinkRun.WarmedRun counted = await BaselineRun.RunAsync(broker, devices, baselineUplinks, mix, warmup, cancellationToken);
            limit = counted.Timed;
            report.Details["baseline"] = Describe(limit);
            if (counted.Warmup is { } baselineWarmup)
            {
                report.Details["baselineWarmup"] = Describe(baselineWarmup);
                AddWarmupLoss(report, baselineWarmup, "ingest.baselineWarmup.lost", "baseline warm-up, before the timed baseline: uplinks lost (published - received)", "baseline warm-up");
            }
        }

        UplinkRun.WarmedRun run = await RunIngestAsync(broker, devices, uplinks, mix, warmup, report, cancellationToken);
        if (run.Warmup is { } warm)
        {
            AddWarmupFigures(report, warm, "ingest", "ingest");
        }

        AddFigures(report, run.Timed, limit, "ingest", "ingest");
    }

    /// <summary>The warm-up's own figures: its rate (the twins activate in it) and its count check.</summary>
    public static void AddWarmupFigures(BenchReport report, UplinkRunResult warm, string key, string label)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(warm);
        double rate = warm.Counted / Math.Max(warm.ElapsedSeconds, 1e-3);
        report.Add($"{key}.warmup.rate", $"{label} warm-up, before the timed run: uplinks applied per second, start to end", rate, "/s", "N0", null,
            string.Create(CultureInfo.InvariantCulture, $"{warm.Counted:N0} uplinks in {warm.ElapsedSeconds:0.0} s; each twin activates here"));
        AddWarmupLoss(report, warm, $"{key}.warmup.lost", $"{label} warm-up: uplinks lost (published - applied)", $"{label} warm-up");
    }

    /// <summary>
    /// A warm-up's count check, which fails the run as the timed run's does (a loss there means the
    /// platform or the broker dropped messages, which no rate would show), and what went wrong in it.
    /// </summary>
    private static void AddWarmupLoss(BenchReport report, UplinkRunResult warm, string key, string name, string noteLabel)
    {
        report.Add(key, name, warm.Published - warm.Counted, string.Empty, "N0", Target.Exactly(0, "0"));
        if (warm.Problem is not null)
        {
            report.Note($"{noteLabel}: {warm.Problem}");
        }
    }

    /// <summary>
    /// Starts a rig, provisions the city, warms it up and publishes: the applied count is ingest's
    /// own. Returns the timed run and the warm-up (null when there was none).
    /// </summary>
    public static async Task<UplinkRun.WarmedRun> RunIngestAsync(BrokerKind broker, int devices, long uplinks, DeviceMix mix, long warmup, BenchReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        await using IngestRig rig = await IngestRig.StartAsync(broker, subscribe: true, "ingest", cancellationToken);
        await ProvisionAsync(rig.Silo, devices, mix, cancellationToken);
        UplinkRun.WarmedRun run = await UplinkRun.RunWarmedAsync(
            "ingest",
            new PublishPlan(rig.MqttPort, devices, uplinks, mix),
            warmup,
            rig.Silo.AppliedAsync,
            rig.PlatformCpuSeconds,
            TimeSpan.FromSeconds(1),
            cancellationToken);
        if (run.Warmup is { } warm)
        {
            report.Details["ingestWarmup"] = Describe(warm);
        }

        report.Details["ingest"] = Describe(run.Timed);
        report.Details["siloLog"] = rig.Silo.LogPath;
        return run;
    }

    /// <summary>
    /// Provisions streetlights and has each send one uplink, so every twin is active, online and knows
    /// its network server before anything is timed; fails the run when any of them was not applied.
    /// </summary>
    public static async Task ProvisionHeardStreetlightsAsync(IngestRig rig, int devices, string label, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rig);
        await ProvisionAsync(rig.Silo, devices, DeviceMix.Streetlights, cancellationToken);
        await PublishAllAsync(rig, label, new PublishPlan(rig.MqttPort, devices, devices, DeviceMix.Streetlights), cancellationToken);
    }

    /// <summary>Publishes a plan outside the timed part of a run; fails the run when any uplink was not applied.</summary>
    public static async Task PublishAllAsync(IngestRig rig, string label, PublishPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rig);
        UplinkRunResult run = await UplinkRun.RunAsync(label, plan, rig.Silo.AppliedAsync, rig.PlatformCpuSeconds, TimeSpan.FromSeconds(1), cancellationToken);
        if (run.Counted != run.Published)
        {
            throw new InvalidOperationException($"the {label} lost uplinks: {run.Problem}");
        }
    }

    public static async Task ProvisionAsync(BenchSilo silo, int devices, DeviceMix mix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silo);
        Progress.Say($"provisioning {devices:N0} devices through POST /api/v1/devices/import");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await silo.ProvisionAsync(CityDevices.Create(devices, mix), done => Progress.Step($"provisioned {done:N0}/{devices:N0}"), cancellationToken);
        Progress.Say(string.Create(CultureInfo.InvariantCulture, $"provisioned {devices:N0} devices in {clock.Elapsed.TotalSeconds:0.0} s"));
    }

    /// <summary>The ingest figures: rate, share of the baseline, CPU per 1,000, and the count check.</summary>
    public static void AddFigures(BenchReport report, UplinkRunResult run, UplinkRunResult? limit, string key, string label)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(run);
        (double rate, double window) = run.Sustained;
        report.Add($"{key}.rate", $"{label}: uplinks applied per second, sustained", rate, "/s", "N0", Target.AtLeast(RateTarget, ">= 50,000 /s"),
            string.Create(CultureInfo.InvariantCulture, $"over {window:0.0} s"));
        if (limit is not null)
        {
            (double limitRate, double limitWindow) = limit.Sustained;
            report.Add($"{key}.baseline", "baseline: bare subscriber, same publisher and broker", limitRate, "/s", "N0", null,
                string.Create(CultureInfo.InvariantCulture, $"over {limitWindow:0.0} s, {limit.Counted:N0} of {limit.Published:N0} received"));
            report.Add($"{key}.share", $"{label}: share of the baseline", rate / limitRate, string.Empty, "0.00", Target.AtLeast(ShareTarget, ">= 0.70"));
            if (limit.Counted != limit.Published)
            {
                report.Note($"The baseline subscriber received {limit.Counted:N0} of {limit.Published:N0}: the broker dropped messages ({limit.Problem}).");
            }
        }

        report.Add($"{key}.cpu", $"{label}: platform CPU seconds per 1,000 uplinks", run.TargetCpuSeconds / Math.Max(1, run.Counted) * 1000, "s", "0.000", null,
            "silo process, plus mosquitto when used");
        report.Add($"{key}.published", $"{label}: uplinks published (PUBACK)", run.Published, string.Empty, "N0");
        report.Add($"{key}.applied", $"{label}: uplinks applied (ingest count)", run.Counted, string.Empty, "N0");
        report.Add($"{key}.lost", $"{label}: uplinks lost (published - applied)", run.Published - run.Counted, string.Empty, "N0", Target.Exactly(0, "0"));
        if (run.PublishFailures > 0)
        {
            report.Note($"{run.PublishFailures:N0} publishes were refused by the broker.");
        }

        if (run.Problem is not null)
        {
            report.Note($"{label}: {run.Problem}");
        }
    }

    public static JsonObject Describe(UplinkRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        (double rate, double window) = run.Sustained;
        return new JsonObject
        {
            ["published"] = run.Published,
            ["counted"] = run.Counted,
            ["publishFailures"] = run.PublishFailures,
            ["publisherSeconds"] = double.IsFinite(run.PublisherSeconds) ? run.PublisherSeconds : null,
            ["publisherCpuSeconds"] = double.IsFinite(run.PublisherCpuSeconds) ? run.PublisherCpuSeconds : null,
            ["targetCpuSeconds"] = double.IsFinite(run.TargetCpuSeconds) ? run.TargetCpuSeconds : null,
            ["elapsedSeconds"] = run.ElapsedSeconds,
            ["sustainedRate"] = double.IsFinite(rate) ? rate : null,
            ["windowSeconds"] = window,
            ["problem"] = run.Problem,
            ["samples"] = new JsonArray([.. run.Series.Samples.Select(s => (JsonNode)new JsonArray(Math.Round(s.Seconds, 3), s.Count))]),
        };
    }
}
