using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using TwinCity.Silo.History;

namespace TwinCity.Silo.Operations;

/// <summary>
/// Whether the cluster's PostgreSQL answers and takes the history writes. An outage is reported as
/// <see cref="HealthStatus.Degraded"/>, which <c>/health/ready</c> answers with 200 and status
/// "Degraded": a silo without its database still serves every active twin from memory, keeps its
/// viewers and keeps taking uplinks (only their acknowledgement waits), and every silo shares the one
/// database, so a 503 would take the whole cluster out of the load balancer at once and turn a
/// partial outage into a full one. Liveness (<c>/health/live</c>) runs no check at all, so no
/// orchestrator restarts silos for a database that is away.
/// </summary>
internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource, PostgresHistory history) : IHealthCheck
{
    /// <summary>A load balancer polls often and a down database may not refuse but hang: the probe gives up soon.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Polls that come close together share one probe, so readiness polling costs the database little.</summary>
    private static readonly TimeSpan ProbeReuse = TimeSpan.FromSeconds(1);

    private readonly string _server = Describe(dataSource.ConnectionString);
    private readonly Lock _lock = new();
    private Task<string?>? _probe;
    private long _probeStarted;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string? unreachable = await ProbeAsync().WaitAsync(cancellationToken);
        HistoryWriteFault? fault = history.Fault;
        int backlog = history.Backlog;
        string writes = fault is null
            ? string.Empty
            : $"; history writes fail since {fault.Since:O} ({fault.Reason}) and their uplinks stay unacknowledged with the broker, {backlog} waiting here";
        if (unreachable is not null)
        {
            return HealthCheckResult.Degraded($"PostgreSQL {_server} does not answer ({unreachable}); twins answer from memory{writes}");
        }

        if (fault is not null && backlog > 0)
        {
            return HealthCheckResult.Degraded($"PostgreSQL {_server} answers{writes}");
        }

        return HealthCheckResult.Healthy($"PostgreSQL {_server} answers; history backlog {backlog}");
    }

    private Task<string?> ProbeAsync()
    {
        lock (_lock)
        {
            if (_probe is null || Environment.TickCount64 - _probeStarted >= (long)ProbeReuse.TotalMilliseconds)
            {
                _probeStarted = Environment.TickCount64;
                _probe = RunProbeAsync();
            }

            return _probe;
        }
    }

    private async Task<string?> RunProbeAsync()
    {
        using var timeout = new CancellationTokenSource(ProbeTimeout);
        try
        {
            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(timeout.Token);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(timeout.Token);
            return null;
        }
        catch (OperationCanceledException)
        {
            return $"no answer within {ProbeTimeout.TotalSeconds:0} s";
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return ex.Message;
        }
    }

    /// <summary>Host, port and database only: the connection string may hold a password.</summary>
    private static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
