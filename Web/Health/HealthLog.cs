using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TwinCity.Web.Health;

/// <summary>
/// Logs each health check's changes of status, once per change, instead of every probe's result.
/// Health's own log writes a line per check per probe, as an error for every unhealthy one: a
/// starting silo's readiness probe (not connected to its broker yet, seed devices not provisioned
/// yet) then reads as a failure, and a broker away for an hour as hundreds of them. Here a check
/// that has not yet been healthy since the silo started is only starting (information); a check
/// that was healthy and is not any more is an error (unhealthy) or a warning (degraded); one that
/// comes back is information, and so is every change while the silo stops. The reports come from
/// the probes (<c>/health/ready</c>) and from a periodic run (<see cref="HealthLogPublisher"/>), so a
/// change is logged even where nothing probes.
/// </summary>
public sealed partial class HealthLog(ILogger<HealthLog> logger, IHostApplicationLifetime? lifetime = null)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Seen> _checks = new(StringComparer.Ordinal);

    /// <summary>The status each check was last seen in.</summary>
    public IReadOnlyDictionary<string, HealthStatus> Statuses
    {
        get
        {
            lock (_gate)
            {
                return _checks.ToDictionary(c => c.Key, c => c.Value.Status, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Takes one run of the checks; logs each check whose status differs from the last run's.</summary>
    public void Observe(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach ((string name, HealthReportEntry entry) in report.Entries)
        {
            bool wasHealthy;
            HealthStatus? before;
            lock (_gate)
            {
                before = _checks.TryGetValue(name, out Seen seen) ? seen.Status : null;
                if (before == entry.Status)
                {
                    continue;
                }

                wasHealthy = seen.EverHealthy;
                _checks[name] = new Seen(entry.Status, seen.EverHealthy || entry.Status != HealthStatus.Unhealthy);
            }

            string description = entry.Description ?? entry.Exception?.Message ?? "(no description)";
            if (lifetime?.ApplicationStopping.IsCancellationRequested == true)
            {
                LogStopping(name, entry.Status, description);
                continue;
            }

            switch (entry.Status)
            {
                case HealthStatus.Healthy when before is null:
                    LogHealthy(name, description);
                    break;
                case HealthStatus.Healthy:
                    LogRecovered(name, before.Value, description);
                    break;
                case HealthStatus.Degraded:
                    LogDegraded(entry.Exception, name, description);
                    break;
                case HealthStatus.Unhealthy when !wasHealthy:
                    LogStarting(name, description);
                    break;
                default:
                    LogUnhealthy(entry.Exception, name, description);
                    break;
            }
        }
    }

    private readonly record struct Seen(HealthStatus Status, bool EverHealthy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health check {Check} is healthy: {Description}")]
    private partial void LogHealthy(string check, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health check {Check} is healthy again (was {Before}): {Description}")]
    private partial void LogRecovered(string check, HealthStatus before, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health check {Check} is not healthy yet: {Description}")]
    private partial void LogStarting(string check, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health check {Check} is {Status} while the silo stops: {Description}")]
    private partial void LogStopping(string check, HealthStatus status, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check {Check} is degraded: {Description}")]
    private partial void LogDegraded(Exception? exception, string check, string description);

    [LoggerMessage(Level = LogLevel.Error, Message = "Health check {Check} is unhealthy: {Description}")]
    private partial void LogUnhealthy(Exception? exception, string check, string description);
}

/// <summary>Runs the checks every <see cref="HealthCheckPublisherOptions.Period"/> for <see cref="HealthLog"/>.</summary>
internal sealed class HealthLogPublisher(HealthLog log) : IHealthCheckPublisher
{
    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        log.Observe(report);
        return Task.CompletedTask;
    }
}
