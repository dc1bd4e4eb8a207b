using Npgsql;

namespace TwinCity.Bench.Rig;

/// <summary>
/// The cluster's durable history (<c>uplink_history</c> in PostgreSQL) read by the bench: what was
/// recorded, whichever silo recorded it, and when. A silo acknowledges an uplink to the broker only
/// once its row has committed, so a row is an uplink the platform has made its own.
/// </summary>
public sealed class UplinkHistory(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    /// <summary>Rows with a frame counter of at least <paramref name="firstFCnt"/> (the run's, not the warm-up's).</summary>
    public async Task<long> CountFromAsync(uint firstFCnt, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = _source.CreateCommand("SELECT count(*) FROM uplink_history WHERE f_cnt >= $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = firstFCnt });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The earliest event time among those rows: the run's first publish; null while there is none.</summary>
    public async Task<DateTime?> FirstPublishedAsync(uint firstFCnt, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = _source.CreateCommand("SELECT min(received_at) FROM uplink_history WHERE f_cnt >= $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = firstFCnt });
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime first ? DateTime.SpecifyKind(first, DateTimeKind.Utc) : null;
    }

    /// <summary>Every row with a frame counter of at least <paramref name="firstFCnt"/>.</summary>
    public async Task<IReadOnlyList<RecordedUplink>> ReadFromAsync(uint firstFCnt, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = _source.CreateCommand("SELECT dev_eui, f_cnt, received_at, inserted_at FROM uplink_history WHERE f_cnt >= $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = firstFCnt });
        var rows = new List<RecordedUplink>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new RecordedUplink(
                unchecked((ulong)reader.GetInt64(0)),
                checked((uint)reader.GetInt64(1)),
                DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc),
                DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc)));
        }

        return rows;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
