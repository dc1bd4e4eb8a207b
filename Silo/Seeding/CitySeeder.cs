using System.Text.Json;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Web.Devices;
using TwinCity.Web.Health;

namespace TwinCity.Silo.Seeding;

/// <summary>Provisions the seed city's devices once the silo is up; the city is ready when it is done.</summary>
internal sealed partial class CitySeeder(
    IGrainFactory grains,
    DeviceRequestParser parser,
    Readiness readiness,
    IOptions<SeedOptions> options,
    ILogger<CitySeeder> logger) : BackgroundService
{
    public const string Component = "seed";

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        readiness.Expect(Component, "provisioning the seed devices");
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Routes and rules first: the devices' first uplinks are then judged by the city's rules.
        int routes = await RulesSeed.LoadRoutesAsync(grains, Path.Combine(AppContext.BaseDirectory, options.Value.City), stoppingToken);
        (int rules, List<string> problems) = await RulesSeed.LoadRulesAsync(grains, Path.Combine(AppContext.BaseDirectory, options.Value.Rules), stoppingToken);
        foreach (string problem in problems)
        {
            LogBadRule(problem);
        }

        LogRules(routes, rules);
        string path = Path.Combine(AppContext.BaseDirectory, options.Value.Devices);
        if (!File.Exists(path))
        {
            LogMissing(path);
            readiness.Done(Component);
            return;
        }

        var registrations = new List<DeviceRegistration>();
        int lineNumber = 0;
        foreach (string line in await File.ReadAllLinesAsync(path, stoppingToken))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using JsonDocument doc = JsonDocument.Parse(line);
            if (parser.TryRead(doc.RootElement, out DeviceRegistration? registration, out string? error))
            {
                registrations.Add(registration!);
            }
            else
            {
                LogBadLine(path, lineNumber, error!);
            }
        }

        long started = Environment.TickCount64;
        await Parallel.ForEachAsync(
            registrations,
            new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = stoppingToken },
            async (r, _) => await grains.GetDevice(r.DevEui).RegisterAsync(r));
        LogSeeded(registrations.Count, Environment.TickCount64 - started);
        readiness.Done(Component);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Seed file {Path} not found; the city starts without devices")]
    private partial void LogMissing(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Seed file {Path} line {Line} skipped: {Reason}")]
    private partial void LogBadLine(string path, int line, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Seed rule skipped: {Problem}")]
    private partial void LogBadRule(string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Routes} bus routes and {Rules} default rules")]
    private partial void LogRules(int routes, int rules);

    [LoggerMessage(Level = LogLevel.Information, Message = "Provisioned {Count} seed devices in {Milliseconds} ms")]
    private partial void LogSeeded(int count, long milliseconds);
}
