using Microsoft.Extensions.Options;
using Npgsql;

namespace TwinCity.Silo.History;

/// <summary>Deletes history older than the retention once an hour; one silo at a time (an advisory lock).</summary>
internal sealed partial class HistoryRetention(NpgsqlDataSource dataSource, IOptions<HistoryOptions> options, ILogger<HistoryRetention> logger) : BackgroundService
{
    private const long LockKey = 0x5477696E48697374;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(stoppingToken);
                await using NpgsqlCommand command = new(
                    "SELECT pg_try_advisory_lock($1)", connection);
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockKey });
                if (await command.ExecuteScalarAsync(stoppingToken) is true)
                {
                    await using NpgsqlCommand delete = new("DELETE FROM uplink_history WHERE received_at < now() - $1::interval", connection);
                    delete.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = options.Value.Retention });
                    int deleted = await delete.ExecuteNonQueryAsync(stoppingToken);
                    await using NpgsqlCommand unlock = new("SELECT pg_advisory_unlock($1)", connection);
                    unlock.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockKey });
                    await unlock.ExecuteNonQueryAsync(stoppingToken);
                    LogDeleted(deleted, options.Value.Retention);
                }
            }
            catch (NpgsqlException ex)
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "History retention deleted {Count} records older than {Retention}")]
    private partial void LogDeleted(int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History retention failed; it runs again in an hour")]
    private partial void LogFailed(Exception exception);
}
