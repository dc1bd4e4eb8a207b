using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Load;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Publishing;
using TwinCity.Bench.Reporting;
using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Scenarios;

/// <summary>
/// Publish to twin changed and publish to viewer at a fixed offered rate. The publisher notes when
/// it published each uplink; a SignalR viewer watches the whole city. Each <c>twinChanged</c> names
/// its uplink (the streetlight's energy counter is a function of the frame counter, see
/// <see cref="UplinkFactory"/>) and carries the twin's change time (<c>at</c>), so that (a) is
/// <c>at</c> minus publish time and (b) is arrival at the viewer minus publish time, all on one clock.
/// The first <c>--warmup</c> seconds run at the offered rate too, but are reported apart: they carry
/// the silo's start at that rate (code compiled again at its higher tier, pools and buffers grown,
/// and the embedded city's uplink history, 200,000 records, filled: at 10,000 /s that takes 20 s,
/// in which the heap grows from about 70 to 130 MB and collections promote megabytes at a time),
/// which a city's silo goes through once, not the latency it then keeps.
/// </summary>
public sealed class LatencyScenario : IBenchScenario
{
    public const double ViewerP99TargetMs = 50;

    private sealed record Seen(string Id, double EnergyWh, DateTime At, long ReceivedTicks);

    public string Name => "latency";

    public string Usage => "latency [--devices 20000] [--rate 10000] [--seconds 30] [--warmup 30] [--samples FILE] [--broker embedded|mosquitto]";

    public async Task RunAsync(BenchArgs args, BenchReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(report);
        int devices = ScenarioOptions.Positive(args, "devices", 20_000);
        double rate = args.Number("rate", 10_000);
        double seconds = args.Number("seconds", 30);
        double warmup = args.Number("warmup", 30);
        string? samplesPath = args.Text("samples");
        BrokerKind broker = ScenarioOptions.Broker(args);
        if (rate <= 0)
        {
            throw new BenchUsageException("--rate must be above 0");
        }

        if (warmup < 0)
        {
            throw new BenchUsageException("--warmup must be 0 or more seconds");
        }

        long warmupUplinks = (long)(rate * warmup);
        long uplinks = warmupUplinks + Math.Max(1, (long)(rate * seconds));

        report.Details["devices"] = devices;
        report.Details["rate"] = rate;
        report.Details["uplinks"] = uplinks;
        report.Details["warmupUplinks"] = warmupUplinks;
        report.Details["broker"] = broker.ToString().ToLowerInvariant();

        await using IngestRig rig = await IngestRig.StartAsync(broker, subscribe: true, "latency", cancellationToken);
        // One uplink per device first: every twin active, online and warm before the clock matters.
        await IngestScenario.ProvisionHeardStreetlightsAsync(rig, devices, "warm-up", cancellationToken);

        var seen = new ConcurrentQueue<Seen>();
        await using HubConnection viewer = new HubConnectionBuilder()
            .WithUrl(new Uri(rig.Silo.BaseUrl, "hubs/city"), o => o.Headers["X-Api-Key"] = BenchSilo.CityKey)
            .Build();
        viewer.On<JsonElement>("twinChanged", change =>
        {
            long received = DateTime.UtcNow.Ticks;
            if (change.TryGetProperty("values", out JsonElement values) && values.TryGetProperty("energyWh", out JsonElement energy)
                && change.TryGetProperty("at", out JsonElement at) && at.GetString() is string atText)
            {
                seen.Enqueue(new Seen(change.GetProperty("id").GetString()!, energy.GetDouble(), DateTime.Parse(atText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), received));
            }
        });
        await viewer.StartAsync(cancellationToken);
        JsonElement initial = await viewer.InvokeAsync<JsonElement>(
            "WatchArea", CityDevices.MinLon - 0.01, CityDevices.MinLat - 0.01, CityDevices.MaxLon + 0.01, CityDevices.MaxLat + 0.01, cancellationToken);
        Progress.Say($"viewer watches the whole city: {initial.GetArrayLength():N0} twins");

        string stamps = Path.Combine(Path.GetTempPath(), $"twincity-bench-stamps-{Environment.ProcessId}-{DateTime.UtcNow.Ticks}.bin");
        try
        {
            UplinkRunResult run = await UplinkRun.RunAsync(
                "latency",
                new PublishPlan(rig.MqttPort, devices, uplinks, DeviceMix.Streetlights, rate, FirstFCnt: 2, StampsPath: stamps),
                rig.Silo.AppliedAsync,
                rig.PlatformCpuSeconds,
                TimeSpan.FromSeconds(1),
                cancellationToken);

            // The last changes are still on their way to the viewer (pacing, flush interval).
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            long[] published = MemoryMarshal.Cast<byte, long>(await File.ReadAllBytesAsync(stamps, cancellationToken)).ToArray();
            var apply = new List<double>();
            var view = new List<double>();
            var warmView = new List<double>();
            using StreamWriter? samples = samplesPath is null ? null : new StreamWriter(samplesPath);
            samples?.WriteLine("uplink,published_utc,twin_changed_ms,viewer_ms,warmup");
            foreach (Seen s in seen)
            {
                int index = int.Parse(s.Id.AsSpan(s.Id.IndexOf('-', StringComparison.Ordinal) + 1), CultureInfo.InvariantCulture);
                long fCnt = (long)Math.Round((s.EnergyWh - (index % 1000)) / 25.0);
                long k = ((fCnt - 2) * devices) + index;
                if (fCnt < 2 || k < 0 || k >= published.Length || published[k] == 0)
                {
                    continue;
                }

                double viewMs = (s.ReceivedTicks - published[k]) / (double)TimeSpan.TicksPerMillisecond;
                double twinMs = (s.At.Ticks - published[k]) / (double)TimeSpan.TicksPerMillisecond;
                samples?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{k},{new DateTime(published[k], DateTimeKind.Utc):O},{twinMs:0.000},{viewMs:0.000},{(k < warmupUplinks ? 1 : 0)}"));
                if (k < warmupUplinks)
                {
                    warmView.Add(viewMs);
                    continue;
                }

                apply.Add(twinMs);
                view.Add(viewMs);
            }

            var a = new Percentiles(apply);
            var v = new Percentiles(view);
            report.Add("latency.offered", "offered rate", rate, "/s", "N0");
            report.Add("latency.achieved", "rate the publisher kept", run.Published / run.PublisherSeconds, "/s", "N0");
            AddPercentiles(report, "latency.twin", "publish to twin changed", a, null);
            AddPercentiles(report, "latency.viewer", "publish to viewer", v, Target.AtMost(ViewerP99TargetMs, "p99 <= 50 ms"));
            if (warmView.Count > 0)
            {
                var w = new Percentiles(warmView);
                report.Add("latency.warmup.p99", string.Create(CultureInfo.InvariantCulture, $"publish to viewer in the warm-up (the first {warmup:0.#} s, not counted above), p99"), w.At(99), "ms", "0.0");
            }

            report.Add("latency.samples", "changes seen by the viewer and matched to their publish", v.Count, string.Empty, "N0", null,
                string.Create(CultureInfo.InvariantCulture, $"of {Math.Max(0, run.Counted - warmupUplinks):N0} applied after the warm-up; the hub sends at most one change per twin per 250 ms"));
            report.Add("latency.lost", "uplinks lost (published - applied)", run.Published - run.Counted, string.Empty, "N0", Target.Exactly(0, "0"));
            double kept = run.Published / run.PublisherSeconds;
            if (kept < rate * 0.95)
            {
                report.Note(string.Create(CultureInfo.InvariantCulture,
                    $"The rig could not offer {rate:N0}/s: the publisher kept {kept:N0}/s (QoS 1, its window of unacknowledged publishes full). The latencies are those of a saturated rig, not of the offered rate."));
            }

            if (v.Count == 0)
            {
                report.Error = "the viewer saw no change it could match to a published uplink";
            }

            if (run.Problem is not null)
            {
                report.Note($"latency: {run.Problem}");
            }

            report.Details["run"] = IngestScenario.Describe(run);
        }
        finally
        {
            File.Delete(stamps);
        }
    }

    private static void AddPercentiles(BenchReport report, string key, string name, Percentiles p, Target? p99Target)
    {
        report.Add($"{key}.p50", $"{name}, p50", p.At(50), "ms", "0.0");
        report.Add($"{key}.p99", $"{name}, p99", p.At(99), "ms", "0.0", p99Target);
        report.Add($"{key}.p999", $"{name}, p99.9", p.At(99.9), "ms", "0.0");
        report.Add($"{key}.max", $"{name}, max", p.Max, "ms", "0.0");
    }
}
