using Microsoft.Extensions.Options;
using Npgsql;

namespace TwinCity.Silo.Audit;

/// <summary>
/// Keeps the audit trail and the dead letters within their bounds, one silo at a time (an advisory
/// lock): actions past their retention; refusals past theirs or beyond the newest
/// <see cref="AuditRetentionOptions.RefusalsKept"/>, never touching an action; dead letters past their
/// retention or beyond the newest <see cref="DeadLetterRetentionOptions.Kept"/>.
/// </summary>
internal sealed partial class DurableTrailRetention(
    NpgsqlDataSource dataSource,
    IOptions<AuditRetentionOptions> audit,
    IOptions<DeadLetterRetentionOptions> deadLetters,
    ILogger<DurableTrailRetention> logger) : BackgroundService
{
    private const long LockKey = 0x5477696E41756474;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(audit.Value.TrimInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
        {
            try
            {
                await TrimAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                LogFailed(ex);
            }
        }
    }

    private async Task TrimAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (NpgsqlCommand take = new("SELECT pg_try_advisory_lock($1)", connection))
        {
            take.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockKey });
            if (await take.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return;
            }
        }

        try
        {
            AuditRetentionOptions a = audit.Value;
            DeadLetterRetentionOptions d = deadLetters.Value;
            int actions = await DeleteAsync(connection, "DELETE FROM audit_log WHERE NOT refusal AND at < now() - $1::interval", a.Retention, cancellationToken);
            int refusals = await DeleteAsync(connection, "DELETE FROM audit_log WHERE refusal AND at < now() - $1::interval", a.RefusalRetention, cancellationToken);
            refusals += await DeleteAsync(connection, "DELETE FROM audit_log WHERE refusal AND id < (SELECT id FROM audit_log WHERE refusal ORDER BY id DESC OFFSET $1 LIMIT 1)", a.RefusalsKept - 1, cancellationToken);
            int letters = await DeleteAsync(connection, "DELETE FROM dead_letters WHERE at < now() - $1::interval", d.Retention, cancellationToken);
            letters += await DeleteAsync(connection, "DELETE FROM dead_letters WHERE id < (SELECT id FROM dead_letters ORDER BY id DESC OFFSET $1 LIMIT 1)", d.Kept - 1, cancellationToken);
            if (actions + refusals + letters > 0)
            {
                LogTrimmed(actions, refusals, letters);
            }
        }
        finally
        {
            await using NpgsqlCommand unlock = new("SELECT pg_advisory_unlock($1)", connection);
            unlock.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockKey });
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<int> DeleteAsync<T>(NpgsqlConnection connection, string sql, T parameter, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = new(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = parameter });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit and dead-letter retention deleted {Actions} actions, {Refusals} refusals and {Letters} dead letters past their bounds")]
    private partial void LogTrimmed(int actions, int refusals, int letters);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit and dead-letter retention failed; it runs again at its next interval")]
    private partial void LogFailed(Exception exception);
}
