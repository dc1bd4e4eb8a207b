using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Load;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Publishing;
using TwinCity.Bench.Reporting;
using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Scenarios;

/// <summary>
/// Command API to downlink published: streetlights that have been heard (so their network server is
/// known) get <c>dim</c> commands at a fixed rate, each on a different twin, sent as the electricity
/// company with its key; the time runs from sending the request to the downlink appearing on the broker.
/// </summary>
public sealed class CommandsScenario : IBenchScenario
{
    public const double P99TargetMs = 10;
    public const string AgencyKey = "dev-azerishig";

    public string Name => "commands";

    public string Usage => "commands [--devices 2000] [--rate 100] [--seconds 20] [--broker embedded|mosquitto]";

    public async Task RunAsync(BenchArgs args, BenchReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(report);
        int devices = ScenarioOptions.Positive(args, "devices", 2000);
        double rate = args.Number("rate", 100);
        double seconds = args.Number("seconds", 20);
        BrokerKind broker = ScenarioOptions.Broker(args);
        int commands = (int)Math.Max(1, rate * seconds);
        if (rate <= 0)
        {
            throw new BenchUsageException("--rate must be above 0");
        }

        report.Details["devices"] = devices;
        report.Details["rate"] = rate;
        report.Details["commands"] = commands;
        report.Details["broker"] = broker.ToString().ToLowerInvariant();

        await using IngestRig rig = await IngestRig.StartAsync(broker, subscribe: true, "commands", cancellationToken);
        await IngestScenario.ProvisionHeardStreetlightsAsync(rig, devices, "first uplinks", cancellationToken);

        await using DownlinkWatcher downlinks = await DownlinkWatcher.ConnectAsync(rig.MqttPort, UplinkFactory.DownlinkFilter, cancellationToken);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = rig.Silo.BaseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Add("X-Api-Key", AgencyKey);
        BenchDevice[] lights = CityDevices.Create(devices, DeviceMix.Streetlights);

        // A few commands first (JIT, connection pool), on twins the measured commands do not use again soon.
        for (int i = 0; i < Math.Min(20, devices); i++)
        {
            await SendAsync(http, lights[devices - 1 - i], 50, cancellationToken);
        }

        var sent = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var answered = new ConcurrentBag<double>();
        var refused = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>(commands);
        for (int c = 0; c < commands; c++)
        {
            double due = c * 1000.0 / rate;
            double ahead = due - clock.Elapsed.TotalMilliseconds;
            if (ahead > 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(ahead), cancellationToken);
            }

            BenchDevice light = lights[c % devices];
            int level = 10 + (c % 90);
            inFlight.Add(Task.Run(
                async () =>
                {
                    long start = DateTime.UtcNow.Ticks;
                    (string? id, string? problem) = await SendAsync(http, light, level, cancellationToken);
                    answered.Add((DateTime.UtcNow.Ticks - start) / (double)TimeSpan.TicksPerMillisecond);
                    if (id is not null)
                    {
                        sent[id] = start;
                    }
                    else
                    {
                        refused.Add(problem!);
                    }
                },
                cancellationToken));
            if (c % 50 == 0)
            {
                Progress.Step(string.Create(CultureInfo.InvariantCulture, $"commands: sent {c:N0}/{commands:N0}, downlinks seen {downlinks.Arrived.Count:N0}"));
            }
        }

        double sendSeconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(inFlight);
        // Downlinks normally follow within milliseconds; the wait is long so that a busy machine's late
        // ones are counted late (their latency shows it) rather than missing.
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (sent.Keys.Any(id => !downlinks.Arrived.ContainsKey(id)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancellationToken);
        }

        var latencies = new Percentiles(sent.Select(s => downlinks.Arrived.TryGetValue(s.Key, out long at)
            ? (at - s.Value) / (double)TimeSpan.TicksPerMillisecond
            : double.NaN));
        int missing = sent.Keys.Count(id => !downlinks.Arrived.ContainsKey(id));
        Progress.Say($"commands: {sent.Count:N0} accepted, {refused.Count:N0} refused, {missing:N0} without a downlink");
        var api = new Percentiles(answered);
        report.Add("commands.rate", "commands offered per second", rate, "/s", "N0");
        report.Add("commands.kept", "commands sent per second", commands / sendSeconds, "/s", "N0");

        // Where the time goes: the API's own answer, against the whole way to the broker.
        report.Add("commands.api.p50", "API answered (202), p50", api.At(50), "ms", "0.0");
        report.Add("commands.api.p99", "API answered (202), p99", api.At(99), "ms", "0.0");
        report.Add("commands.p50", "API call to downlink published, p50", latencies.At(50), "ms", "0.0");
        report.Add("commands.p99", "API call to downlink published, p99", latencies.At(99), "ms", "0.0", Target.AtMost(P99TargetMs, "p99 <= 10 ms"));
        report.Add("commands.max", "API call to downlink published, max", latencies.Max, "ms", "0.0");
        report.Add("commands.accepted", "commands accepted (202)", sent.Count, string.Empty, "N0", Target.Exactly(commands, commands.ToString("N0", CultureInfo.InvariantCulture)));
        report.Add("commands.missing", "accepted commands without a downlink", missing, string.Empty, "N0", Target.Exactly(0, "0"));
        if (!refused.IsEmpty)
        {
            report.Note($"first refusal: {refused.First()}");
        }
    }

    private static async Task<(string? Id, string? Problem)> SendAsync(HttpClient http, BenchDevice light, int level, CancellationToken cancellationToken)
    {
        using var body = new StringContent($$"""{"name":"dim","args":{"level":{{level}}},"ttlSeconds":300}""", Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync(new Uri($"api/v1/twins/streetlights/{light.TwinId}/commands", UriKind.Relative), body, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            return (null, $"{(int)response.StatusCode} {text}");
        }

        using JsonDocument doc = JsonDocument.Parse(text);
        return (doc.RootElement.GetProperty("id").GetString(), null);
    }
}
