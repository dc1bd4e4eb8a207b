using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using TwinCity.Gateway.Ingest.DeadLetters;
using TwinCity.Grains.Interfaces.Devices;

namespace TwinCity.Silo.Audit;

/// <summary>
/// Cluster mode: every dead letter this silo records is also written to PostgreSQL (<c>dead_letters</c>)
/// in batches, so that what ingest refused outlives the silo. A flood beyond
/// <see cref="DeadLetterRetentionOptions.Buffer"/> waiting is counted by the in-memory store but not written.
/// </summary>
public sealed partial class PostgresDeadLetters : BackgroundService
{
    private const int BatchSize = 2_000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly DeadLetterStore _store;
    private readonly ILogger<PostgresDeadLetters> _logger;
    private readonly Channel<DeadLetter> _queue;
    private long _dropped;

    public PostgresDeadLetters(NpgsqlDataSource dataSource, DeadLetterStore store, IOptions<DeadLetterRetentionOptions> options, ILogger<PostgresDeadLetters> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = dataSource;
        _store = store;
        _logger = logger;
        _queue = Channel.CreateBounded<DeadLetter>(new BoundedChannelOptions(options.Value.Buffer) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
        store.Added += Enqueue;
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _store.Added -= Enqueue;
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<DeadLetter>(BatchSize);
        while (batch.Count > 0 || await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out DeadLetter? letter))
            {
                batch.Add(letter);
            }

            try
            {
                await WriteBatchAsync(batch);
                batch.Clear();
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                LogWriteFailed(ex, batch.Count);
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
    }

    private void Enqueue(DeadLetter letter)
    {
        if (!_queue.Writer.TryWrite(letter) && Interlocked.Increment(ref _dropped) == 1)
        {
            LogDropped();
        }
    }

    private async Task WriteBatchAsync(List<DeadLetter> batch)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync();
        await using NpgsqlBinaryImporter copy = await connection.BeginBinaryImportAsync(
            "COPY dead_letters (at, source, reason, dev_eui, topic, payload, detail) FROM STDIN (FORMAT BINARY)");
        foreach (DeadLetter l in batch)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(DateTime.SpecifyKind(l.At, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
            await copy.WriteAsync(l.Source, NpgsqlDbType.Text);
            await copy.WriteAsync(l.Reason, NpgsqlDbType.Text);
            if (l.DevEui is not null && DevEui.TryParse(l.DevEui, out ulong devEui))
            {
                await copy.WriteAsync(unchecked((long)devEui), NpgsqlDbType.Bigint);
            }
            else
            {
                await copy.WriteNullAsync();
            }

            if (l.Topic is null)
            {
                await copy.WriteNullAsync();
            }
            else
            {
                await copy.WriteAsync(l.Topic, NpgsqlDbType.Text);
            }

            await copy.WriteAsync(l.Payload, NpgsqlDbType.Bytea);
            await copy.WriteAsync(l.Detail, NpgsqlDbType.Text);
        }

        await copy.CompleteAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letters are arriving faster than they can be written to PostgreSQL; the excess is counted in memory only")]
    private partial void LogDropped();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} dead letters to PostgreSQL failed; tried again")]
    private partial void LogWriteFailed(Exception exception, int count);
}
