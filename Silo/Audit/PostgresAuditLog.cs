using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using TwinCity.Grains.Interfaces.Audit;

namespace TwinCity.Silo.Audit;

/// <summary>
/// The cluster's audit trail in PostgreSQL (<c>audit_log</c>), so that it is one trail for every silo
/// and outlives them all. Entries are written in batches with COPY by a background writer; actions
/// wait their turn however many there are, refusals beyond <see cref="AuditRetentionOptions.RefusalBuffer"/>
/// are counted and dropped, so that a flood of refused requests costs bounded memory and never delays
/// or displaces an action. A failed write is tried again, never dropped.
/// </summary>
public sealed partial class PostgresAuditLog : BackgroundService, IAuditLog
{
    private const int BatchSize = 5_000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<PostgresAuditLog> _logger;
    private readonly Channel<AuditEntry> _queue = Channel.CreateUnbounded<AuditEntry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _refusalBuffer;
    private long _waitingRefusals;
    private long _droppedRefusals;

    public PostgresAuditLog(NpgsqlDataSource dataSource, IOptions<AuditRetentionOptions> options, ILogger<PostgresAuditLog> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = dataSource;
        _logger = logger;
        _refusalBuffer = options.Value.RefusalBuffer;
    }

    /// <summary>Refusals not written because the writer was behind.</summary>
    public long DroppedRefusals => Interlocked.Read(ref _droppedRefusals);

    public void Write(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.IsRefusal && Interlocked.Increment(ref _waitingRefusals) > _refusalBuffer)
        {
            Interlocked.Decrement(ref _waitingRefusals);
            if (Interlocked.Increment(ref _droppedRefusals) == 1)
            {
                LogRefusalsDropped();
            }

            return;
        }

        _queue.Writer.TryWrite(entry);
    }

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(string? actor, string? kind, DateTime? from, DateTime? to, int limit, CancellationToken cancellationToken, bool? refused = null)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlCommand command = new(
            """
            SELECT at, actor, action, target_kind, target_id, outcome, details #>> '{}', key_id
            FROM audit_log
            WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR target_kind = $2)
              AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at <= $4)
              AND ($5::boolean IS NULL OR refusal = $5)
            ORDER BY at DESC, id DESC
            LIMIT $6
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)actor ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)kind ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = from is DateTime f ? DateTime.SpecifyKind(f, DateTimeKind.Utc) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = to is DateTime t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = refused is bool r ? r : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Boolean });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var entries = new List<AuditEntry>(Math.Min(limit, 1024));
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(
                DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return entries;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The web role and the grains have stopped by now: write what is left, then finish.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEntry>(BatchSize);
        TimeSpan backoff = TimeSpan.FromMilliseconds(200);
        while (batch.Count > 0 || await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out AuditEntry? entry))
            {
                if (entry.IsRefusal)
                {
                    Interlocked.Decrement(ref _waitingRefusals);
                }

                batch.Add(entry);
            }

            try
            {
                await WriteBatchAsync(batch);
                batch.Clear();
                backoff = TimeSpan.FromMilliseconds(200);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // Kept and tried again: an audit entry is not dropped for a passing fault of the database.
                LogWriteFailed(ex, batch.Count);
                if (stoppingToken.IsCancellationRequested && backoff >= TimeSpan.FromSeconds(10))
                {
                    return;
                }

                await Task.Delay(backoff, CancellationToken.None);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private async Task WriteBatchAsync(List<AuditEntry> batch)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync();
        await using NpgsqlBinaryImporter copy = await connection.BeginBinaryImportAsync(
            "COPY audit_log (at, actor, agency, action, target_kind, target_id, outcome, details, key_id, refusal) FROM STDIN (FORMAT BINARY)");
        foreach (AuditEntry e in batch)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(DateTime.SpecifyKind(e.At, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
            await copy.WriteAsync(e.Actor, NpgsqlDbType.Text);
            await WriteTextAsync(copy, e.Actor.StartsWith("rule:", StringComparison.Ordinal) ? null : e.Actor);
            await copy.WriteAsync(e.Action, NpgsqlDbType.Text);
            await WriteTextAsync(copy, e.Kind);
            await WriteTextAsync(copy, e.Target);
            await copy.WriteAsync(e.Outcome, NpgsqlDbType.Text);
            if (e.Details is null)
            {
                await copy.WriteNullAsync();
            }
            else
            {
                await copy.WriteAsync(JsonSerializer.Serialize(e.Details), NpgsqlDbType.Jsonb);
            }

            await WriteTextAsync(copy, e.KeyId);
            await copy.WriteAsync(e.IsRefusal, NpgsqlDbType.Boolean);
        }

        await copy.CompleteAsync();
    }

    private static async Task WriteTextAsync(NpgsqlBinaryImporter copy, string? text)
    {
        if (text is null)
        {
            await copy.WriteNullAsync();
        }
        else
        {
            await copy.WriteAsync(text, NpgsqlDbType.Text);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit refusals are arriving faster than they can be written; the excess is counted and dropped (actions are always written)")]
    private partial void LogRefusalsDropped();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} audit entries failed; they are kept and written again")]
    private partial void LogWriteFailed(Exception exception, int count);
}
