using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TwinCity.Web.Health;

namespace TwinCity.Web.Tests.Health;

/// <summary>
/// The silo logs each health check's changes of status once, at a level that says whether it is
/// starting, has recovered, or has gone wrong, and nothing for probes that find what the last one found.
/// </summary>
public sealed class HealthLogTests
{
    [Fact]
    public void A_check_not_healthy_since_start_is_starting_not_an_error()
    {
        var logger = new Captured();
        var log = new HealthLog(logger);

        log.Observe(Report(("mqtt", HealthStatus.Unhealthy, "not connected to the MQTT broker")));
        log.Observe(Report(("mqtt", HealthStatus.Unhealthy, "not connected to the MQTT broker")));
        log.Observe(Report(("mqtt", HealthStatus.Healthy, null)));

        Assert.Equal(
            [
                (LogLevel.Information, "Health check mqtt is not healthy yet: not connected to the MQTT broker"),
                (LogLevel.Information, "Health check mqtt is healthy again (was Unhealthy): (no description)"),
            ],
            logger.Lines);
    }

    [Fact]
    public void A_check_that_was_healthy_and_fails_is_an_error_once_and_its_recovery_is_logged()
    {
        var logger = new Captured();
        var log = new HealthLog(logger);

        log.Observe(Report(("mqtt", HealthStatus.Healthy, "connected"), ("postgres", HealthStatus.Healthy, "answers")));
        for (int probe = 0; probe < 5; probe++)
        {
            log.Observe(Report(("mqtt", HealthStatus.Unhealthy, "not connected"), ("postgres", HealthStatus.Healthy, "answers")));
        }

        log.Observe(Report(("mqtt", HealthStatus.Unhealthy, "not connected"), ("postgres", HealthStatus.Degraded, "does not answer")));
        log.Observe(Report(("mqtt", HealthStatus.Healthy, "connected"), ("postgres", HealthStatus.Healthy, "answers")));

        Assert.Equal(
            [
                (LogLevel.Information, "Health check mqtt is healthy: connected"),
                (LogLevel.Information, "Health check postgres is healthy: answers"),
                (LogLevel.Error, "Health check mqtt is unhealthy: not connected"),
                (LogLevel.Warning, "Health check postgres is degraded: does not answer"),
                (LogLevel.Information, "Health check mqtt is healthy again (was Unhealthy): connected"),
                (LogLevel.Information, "Health check postgres is healthy again (was Degraded): answers"),
            ],
            logger.Lines);
        Assert.Equal(HealthStatus.Healthy, log.Statuses["postgres"]);
    }

    [Fact]
    public void A_check_that_throws_is_logged_with_its_exception()
    {
        var logger = new Captured();
        var log = new HealthLog(logger);
        var failure = new InvalidOperationException("the check broke");

        log.Observe(Report(("ready", HealthStatus.Healthy, null)));
        log.Observe(new HealthReport(
            new Dictionary<string, HealthReportEntry>
            {
                ["ready"] = new(HealthStatus.Unhealthy, null, TimeSpan.Zero, failure, null),
            },
            TimeSpan.Zero));

        Assert.Equal((LogLevel.Error, "Health check ready is unhealthy: the check broke"), logger.Lines[^1]);
        Assert.Same(failure, logger.Exceptions[^1]);
    }

    [Fact]
    public void A_check_that_fails_while_the_silo_stops_is_not_an_error()
    {
        var logger = new Captured();
        var lifetime = new Lifetime();
        var log = new HealthLog(logger, lifetime);

        log.Observe(Report(("ready", HealthStatus.Healthy, null)));
        lifetime.StopApplication();
        log.Observe(Report(("ready", HealthStatus.Unhealthy, "the silo does not answer")));

        Assert.Equal((LogLevel.Information, "Health check ready is Unhealthy while the silo stops: the silo does not answer"), logger.Lines[^1]);
    }

    private static HealthReport Report(params (string Name, HealthStatus Status, string? Description)[] checks) =>
        new(
            checks.ToDictionary(c => c.Name, c => new HealthReportEntry(c.Status, c.Description, TimeSpan.Zero, null, null)),
            TimeSpan.Zero);

    private sealed class Lifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();
    }

    private sealed class Captured : ILogger<HealthLog>
    {
        public List<(LogLevel, string)> Lines { get; } = [];

        public List<Exception?> Exceptions { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Lines.Add((logLevel, formatter(state, exception)));
            Exceptions.Add(exception);
        }
    }
}
