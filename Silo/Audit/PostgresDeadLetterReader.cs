using Npgsql;
using NpgsqlTypes;
using TwinCity.Gateway.Ingest.DeadLetters;
using TwinCity.Grains.Interfaces.Devices;

namespace TwinCity.Silo.Audit;

/// <summary>
/// Cluster mode: the dead letters of every silo, read from PostgreSQL (<c>dead_letters</c>, written by
/// <see cref="PostgresDeadLetters"/> a moment after each is recorded and trimmed by retention), so that
/// any silo answers for the whole cluster, also after a restart.
/// </summary>
public sealed class PostgresDeadLetterReader(NpgsqlDataSource dataSource) : IDeadLetterReader
{
    public string Scope => "cluster";

    public async Task<DeadLetterPage> ReadAsync(string? reason, int limit, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        await using (var count = new NpgsqlCommand("SELECT reason, count(*) FROM dead_letters GROUP BY reason", connection))
        await using (NpgsqlDataReader reader = await count.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                long n = reader.GetInt64(1);
                counts[reader.GetString(0)] = n;
                total += n;
            }
        }

        var letters = new List<DeadLetter>(Math.Min(limit, 1024));
        await using var latest = new NpgsqlCommand(
            """
            SELECT at, reason, coalesce(detail, ''), source, topic, dev_eui, coalesce(payload, ''::bytea)
            FROM dead_letters
            WHERE ($1::text IS NULL OR reason = $1)
            ORDER BY id DESC
            LIMIT $2
            """,
            connection);
        latest.Parameters.Add(new NpgsqlParameter { Value = (object?)reason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        latest.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await using (NpgsqlDataReader reader = await latest.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                letters.Add(new DeadLetter(
                    DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : DevEui.Format(unchecked((ulong)reader.GetInt64(5))),
                    reader.GetFieldValue<byte[]>(6)));
            }
        }

        return new DeadLetterPage(total, counts, letters);
    }
}
