using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using TwinCity.Grains.Interfaces.History;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Silo.History;

/// <summary>
/// The durable history of a cluster: applied uplinks go into <c>uplink_history</c> in batches with
/// binary COPY (written again, skipping what is there, when one holds a redelivery already recorded),
/// and each uplink's task completes only when its batch has committed; that is when
/// ingest acknowledges it to the broker. The buffer is bounded: when PostgreSQL is slow, ingest waits.
/// </summary>
public sealed partial class PostgresHistory : BackgroundService, ITwinHistory, IUplinkJournal
{
    public const string MeterName = "TwinCity.History";

    private readonly NpgsqlDataSource _dataSource;
    private readonly HistoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresHistory> _logger;
    private readonly Channel<Pending> _queue;
    private readonly Histogram<double> _lag;
    private readonly BatchedReplayReads _replays;
    private HistoryWriteFault? _fault;
    private long _batchesWithRecorded;

    public PostgresHistory(NpgsqlDataSource dataSource, IOptions<HistoryOptions> options, TimeProvider time, IMeterFactory meters, ILogger<PostgresHistory> logger)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _dataSource = dataSource;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _replays = new BatchedReplayReads(dataSource, logger);
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(_options.BufferSize) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        Meter meter = meters.Create(MeterName);
        _lag = meter.CreateHistogram<double>("twincity.history.write_lag", "ms", "Time from an uplink applied to its history record committed");
        meter.CreateObservableGauge("twincity.history.backlog", () => Backlog, "{record}", "Applied uplinks waiting to be written (their messages are not yet acknowledged)");
        meter.CreateObservableCounter("twincity.history.batches_with_recorded", () => BatchesWithRecorded, "{batch}", "Batches that held an uplink already recorded (a redelivery) and were written again without it");
    }

    public bool IsDurable => true;

    /// <summary>Applied uplinks waiting to be written (never more than <see cref="HistoryOptions.BufferSize"/>).</summary>
    public int Backlog => _queue.Reader.Count;

    /// <summary>Batches that held an uplink already recorded (a redelivery) and were written again without it.</summary>
    public long BatchesWithRecorded => Interlocked.Read(ref _batchesWithRecorded);

    /// <summary>Queries that read waking twins' history so far (each for many twins).</summary>
    public long ReplayQueries => _replays.Batches;

    /// <summary>Since when writes fail and why, or null while the last write committed.</summary>
    public HistoryWriteFault? Fault => Volatile.Read(ref _fault);

    public Task AppendAsync(HistoryRecord record)
    {
        var pending = new Pending(record, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), _time.GetTimestamp());
        if (_queue.Writer.TryWrite(pending))
        {
            return pending.Done.Task;
        }

        return WaitForRoomAsync(pending);
    }

    /// <summary>Read for many waking twins in one query (<see cref="BatchedReplayReads"/>).</summary>
    public Task<IReadOnlyList<HistoryRecord>> ReadSinceAsync(TwinKind kind, string twinId, DateTime since, CancellationToken cancellationToken) =>
        _replays.ReadSinceAsync(kind, twinId, since, cancellationToken);

    public async Task<IReadOnlyList<HistoryRecord>> QueryAsync(TwinKind kind, string twinId, DateTime from, DateTime to, int limit, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = _dataSource.CreateCommand(
            "SELECT dev_eui, f_cnt, received_at, payload FROM uplink_history WHERE kind = $1 AND twin_id = $2 AND received_at BETWEEN $3 AND $4 ORDER BY received_at DESC LIMIT $5");
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)kind });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = twinId });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = DateTime.SpecifyKind(from, DateTimeKind.Utc) });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = DateTime.SpecifyKind(to, DateTimeKind.Utc) });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        return await ReadAsync(command, kind, twinId, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(_options.BatchSize);
        TimeSpan backoff = TimeSpan.FromMilliseconds(100);
        ChannelReader<Pending> reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                batch.Clear();
                DateTime gatherUntil = DateTime.UtcNow + _options.BatchWindow;
                while (batch.Count < _options.BatchSize)
                {
                    if (reader.TryRead(out Pending? next))
                    {
                        batch.Add(next);
                        continue;
                    }

                    TimeSpan left = gatherUntil - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero || !await WaitBrieflyAsync(reader, left))
                    {
                        break;
                    }
                }

                try
                {
                    await WriteBatchAsync(batch);
                    double now = _time.GetTimestamp();
                    foreach (Pending p in batch)
                    {
                        _lag.Record((now - p.Started) * 1000.0 / _time.TimestampFrequency);
                        p.Done.TrySetResult();
                    }

                    backoff = TimeSpan.FromMilliseconds(100);
                    if (Interlocked.Exchange(ref _fault, null) is { } resolved)
                    {
                        LogWritesResumed(_time.GetUtcNow().UtcDateTime - resolved.Since);
                    }
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    // Not durable: the waiting messages stay unacknowledged and come again from the broker.
                    LogWriteFailed(ex, batch.Count);
                    Volatile.Write(ref _fault, new HistoryWriteFault(_fault?.Since ?? _time.GetUtcNow().UtcDateTime, ex.Message));
                    foreach (Pending p in batch)
                    {
                        p.Done.TrySetException(ex);
                    }

                    await Task.Delay(backoff, CancellationToken.None);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                }
            }
        }
        finally
        {
            foreach (Pending p in batch)
            {
                p.Done.TrySetCanceled(CancellationToken.None);
            }
        }
    }

    public override void Dispose()
    {
        _replays.Dispose();
        base.Dispose();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Ingest has stopped by now (it stops first): write what is left, then finish.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task WriteBatchAsync(List<Pending> batch)
    {
        // Straight into the table with binary COPY, committed on its own. A redelivered uplink that is
        // already recorded makes the COPY fail on the primary key; only then is the batch written again
        // by a statement that skips rows already there. A redelivery reaches the history only when a
        // silo stopped, or lost its connection, between a batch's commit and the broker's
        // acknowledgement, so the common case pays neither a check for conflicts before each row nor
        // a staging table.
        try
        {
            await CopyAsync(batch);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            Interlocked.Increment(ref _batchesWithRecorded);
            await InsertSkippingRecordedAsync(batch);
        }
    }

    private async Task CopyAsync(List<Pending> batch)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync();
        await using NpgsqlBinaryImporter copy = await connection.BeginBinaryImportAsync(
            "COPY uplink_history (dev_eui, kind, twin_id, f_cnt, received_at, payload) FROM STDIN (FORMAT BINARY)");
        foreach (Pending p in batch)
        {
            Row row = Row.Of(p.Record);
            await copy.StartRowAsync();
            await copy.WriteAsync(row.DevEui, NpgsqlDbType.Bigint);
            await copy.WriteAsync(row.Kind, NpgsqlDbType.Smallint);
            await copy.WriteAsync(row.TwinId, NpgsqlDbType.Text);
            await copy.WriteAsync(row.FCnt, NpgsqlDbType.Bigint);
            await copy.WriteAsync(row.ReceivedAt, NpgsqlDbType.TimestampTz);
            await copy.WriteAsync(row.Payload, NpgsqlDbType.Jsonb);
        }

        await copy.CompleteAsync();
    }

    private async Task InsertSkippingRecordedAsync(List<Pending> batch)
    {
        int count = batch.Count;
        var devEuis = new long[count];
        var kinds = new short[count];
        var twinIds = new string[count];
        var fCnts = new long[count];
        var receivedAt = new DateTime[count];
        var payloads = new string[count];
        for (int i = 0; i < count; i++)
        {
            Row row = Row.Of(batch[i].Record);
            devEuis[i] = row.DevEui;
            kinds[i] = row.Kind;
            twinIds[i] = row.TwinId;
            fCnts[i] = row.FCnt;
            receivedAt[i] = row.ReceivedAt;
            payloads[i] = row.Payload;
        }

        await using NpgsqlCommand insert = _dataSource.CreateCommand("""
            INSERT INTO uplink_history (dev_eui, kind, twin_id, f_cnt, received_at, payload)
            SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::bigint[], $5::timestamptz[], $6::jsonb[])
            ON CONFLICT DO NOTHING
            """);
        insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = devEuis });
        insert.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = kinds });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = twinIds });
        insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = fCnts });
        insert.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = receivedAt, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        await insert.ExecuteNonQueryAsync();
    }

    private static string PayloadJson(HistoryRecord r)
    {
        using var buffer = new MemoryStream(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("values");
            foreach (Reading v in r.Values)
            {
                string name = PropertyCatalog.NameOf(v.Property);
                switch (v.Value.Type)
                {
                    case PropertyType.Bool: w.WriteBoolean(name, v.Value.Number != 0); break;
                    case PropertyType.Text: w.WriteString(name, v.Value.Text); break;
                    default: w.WriteNumber(name, v.Value.Number); break;
                }
            }

            w.WriteEndObject();
            if (r.Radio is { } radio)
            {
                w.WriteStartObject("radio");
                if (radio.Rssi is int rssi)
                {
                    w.WriteNumber("rssi", rssi);
                }

                if (radio.Snr is double snr)
                {
                    w.WriteNumber("snr", snr);
                }

                if (radio.Gateway is string gateway)
                {
                    w.WriteString("gateway", gateway);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static async Task<IReadOnlyList<HistoryRecord>> ReadAsync(NpgsqlCommand command, TwinKind kind, string twinId, CancellationToken cancellationToken)
    {
        var records = new List<HistoryRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(ToRecord(kind, twinId, reader.GetInt64(0), reader.GetInt64(1), reader.GetDateTime(2), reader.GetString(3)));
        }

        return records;
    }

    /// <summary>A history row as the record a twin replays or the API shows: the payload's values and radio, as stored.</summary>
    internal static HistoryRecord ToRecord(TwinKind kind, string twinId, long devEui, long fCnt, DateTime at, string payloadJson)
    {
        using JsonDocument payload = JsonDocument.Parse(payloadJson);
        var values = new List<Reading>();
        if (payload.RootElement.TryGetProperty("values", out JsonElement v))
        {
            foreach (JsonProperty p in v.EnumerateObject())
            {
                if (PropertyCatalog.TryGet(kind, p.Name, out PropertyInfo? info) || PropertyCatalog.TryGet(p.Name, out info))
                {
                    PropertyValue? value = p.Value.ValueKind switch
                    {
                        JsonValueKind.True or JsonValueKind.False => PropertyValue.Of(p.Value.GetBoolean()),
                        JsonValueKind.Number => PropertyValue.Of(p.Value.GetDouble()),
                        JsonValueKind.String => PropertyValue.Of(p.Value.GetString()!),
                        _ => null,
                    };
                    if (value is PropertyValue pv)
                    {
                        values.Add(new Reading(info.Property, pv));
                    }
                }
            }
        }

        RadioInfo? radio = null;
        if (payload.RootElement.TryGetProperty("radio", out JsonElement r))
        {
            radio = new RadioInfo(
                r.TryGetProperty("rssi", out JsonElement rssi) ? rssi.GetInt32() : null,
                r.TryGetProperty("snr", out JsonElement snr) ? snr.GetDouble() : null,
                r.TryGetProperty("gateway", out JsonElement gw) ? gw.GetString() : null);
        }

        return new HistoryRecord(kind, twinId, unchecked((ulong)devEui), (uint)fCnt, at, [.. values], radio);
    }

    private async Task WaitForRoomAsync(Pending pending)
    {
        await _queue.Writer.WriteAsync(pending);
        await pending.Done.Task;
    }

    private static async Task<bool> WaitBrieflyAsync(ChannelReader<Pending> reader, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private sealed record Pending(HistoryRecord Record, TaskCompletionSource Done, long Started);

    /// <summary>A record as <c>uplink_history</c> stores it, the same for either way a batch is written.</summary>
    private readonly record struct Row(long DevEui, short Kind, string TwinId, long FCnt, DateTime ReceivedAt, string Payload)
    {
        public static Row Of(HistoryRecord r) =>
            new(unchecked((long)r.DevEui), (short)r.Kind, r.TwinId, r.FCnt, DateTime.SpecifyKind(r.At, DateTimeKind.Utc), PayloadJson(r));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} history records failed; their uplinks will be delivered again")]
    private partial void LogWriteFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "History writes resumed after failing for {Duration}")]
    private partial void LogWritesResumed(TimeSpan duration);
}
