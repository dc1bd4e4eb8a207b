using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using Orleans.Storage;

namespace TwinCity.Silo.Storage;

/// <summary>
/// Orleans' ADO.NET grain storage with its reads gathered: every read waiting while the previous
/// batch was on its way goes to PostgreSQL as one query (up to <see cref="MaxBatch"/> grains), so a
/// silo waking thousands of twins at once (a restart, a silo's share taken over) costs a few
/// queries a second instead of one each. Writes and clears go to Orleans' provider unchanged.
/// </summary>
/// <remarks>
/// The query reads the same rows Orleans' provider reads (TwinCity's schema, <c>db/migrations</c>):
/// the grain's hash by the provider's own hasher (<see cref="AdoNetGrainStorageOptions.HashPicker"/>)
/// over the key bytes as the provider lays them out, and the state read back by the provider's own
/// serializer. <c>BatchedStateReadsTests</c> checks that a read here equals Orleans' read of the
/// same grain, so a change of Orleans' layout shows up there, not in a city.
/// A grain whose key this does not lay out (a GUID key, a key extension) is read by the provider.
/// </remarks>
public sealed partial class BatchedStateReads : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>The most grains one query reads.</summary>
    public const int MaxBatch = 1000;

    /// <summary>Queries that may be on their way at once.</summary>
    private const int Readers = 2;

    private const string Query = """
        SELECT GrainIdHash, GrainIdN0, GrainIdN1, GrainIdExtensionString, PayloadBinary, Version
        FROM OrleansStorage
        WHERE GrainIdHash = ANY($1) AND GrainTypeHash = $2 AND GrainTypeString = $3 AND ServiceId = $4
        """;

    private readonly IGrainStorage _provider;
    private readonly string _name;
    private readonly AdoNetGrainStorageOptions _options;
    private readonly string _serviceId;
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;
    private readonly Channel<Read> _reads = Channel.CreateUnbounded<Read>(new UnboundedChannelOptions { SingleReader = false });
    private long _batches;
    private long _grains;

    public BatchedStateReads(IGrainStorage provider, string name, AdoNetGrainStorageOptions options, IOptions<ClusterOptions> cluster, NpgsqlDataSource dataSource, ILogger<BatchedStateReads> logger)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        _provider = provider;
        _name = name;
        _options = options;
        _serviceId = cluster.Value.ServiceId;
        _dataSource = dataSource;
        _logger = logger;
        for (int i = 0; i < Readers; i++)
        {
            _ = Task.Run(ReadLoopAsync);
        }
    }

    /// <summary>Queries run so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Grains read by those queries.</summary>
    public long Grains => Interlocked.Read(ref _grains);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (!TryKey(grainId, out long n1, out string? text) || stateName.Contains('`', StringComparison.Ordinal))
        {
            return _provider.ReadStateAsync(stateName, grainId, grainState);
        }

        int grainHash = Hasher(stateName, grainId, grainState).Hash(HashBytes(n1, text));
        var read = new Read<T>(this, stateName, grainId, grainState, grainHash, n1, text);
        if (!_reads.Writer.TryWrite(read))
        {
            return _provider.ReadStateAsync(stateName, grainId, grainState);
        }

        return read.Task;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => _provider.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => _provider.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle observer)
    {
        if (_provider is ILifecycleParticipant<ISiloLifecycle> participant)
        {
            participant.Participate(observer);
        }
    }

    public void Dispose() => _reads.Writer.TryComplete();

    /// <summary>
    /// The key as Orleans' provider stores it: a string key in the extension column with 0 and 0 for
    /// the numbers, an integer key as the second number with no extension.
    /// </summary>
    private static bool TryKey(GrainId grainId, out long n1, out string? text)
    {
        if (grainId.TryGetIntegerKey(out long integer, out string? extension))
        {
            n1 = integer;
            text = null;
            return extension is null;
        }

        if (grainId.TryGetGuidKey(out _, out _))
        {
            n1 = 0;
            text = null;
            return false;
        }

        n1 = 0;
        text = grainId.Key.ToString();
        return true;
    }

    /// <summary>The bytes Orleans' provider hashes: the integer's or the string's, reversed on a little-endian machine.</summary>
    private static byte[] HashBytes(long n1, string? text)
    {
        byte[] bytes = text is null ? BitConverter.GetBytes(n1) : Encoding.UTF8.GetBytes(text);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(bytes);
        }

        return bytes;
    }

    private IHasher Hasher<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _options.HashPicker.PickHasher(_serviceId, _name, stateName, grainId, grainState)
        ?? throw new InvalidOperationException($"Grain storage '{_name}' has no hasher for {stateName}");

    private async Task ReadLoopAsync()
    {
        ChannelReader<Read> reader = _reads.Reader;
        var batch = new List<Read>(MaxBatch);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out Read? read))
            {
                batch.Add(read);
            }

            foreach (IGrouping<string, Read> kind in batch.GroupBy(r => r.StateName, StringComparer.Ordinal))
            {
                await ReadBatchAsync(kind.Key, [.. kind]);
            }
        }
    }

    private async Task ReadBatchAsync(string stateName, List<Read> reads)
    {
        try
        {
            int typeHash = reads[0].TypeHash(Encoding.UTF8.GetBytes(stateName));
            var rows = new Dictionary<(long N0, long N1, string? Text), (byte[]? Payload, int Version)>();
            await using (NpgsqlCommand command = _dataSource.CreateCommand(Query))
            {
                command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. reads.Select(r => r.GrainHash).Distinct()], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = typeHash });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stateName });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
                await using NpgsqlDataReader row = await command.ExecuteReaderAsync();
                while (await row.ReadAsync())
                {
                    rows[(row.GetInt64(1), row.GetInt64(2), row.IsDBNull(3) ? null : row.GetString(3))] =
                        (row.IsDBNull(4) ? null : (byte[])row.GetValue(4), row.GetInt32(5));
                }
            }

            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _grains, reads.Count);
            foreach (Read read in reads)
            {
                if (rows.TryGetValue((0, read.N1, read.Text), out (byte[]? Payload, int Version) found))
                {
                    read.Complete(found.Payload, found.Version.ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    read.Complete(null, null);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // One at a time through Orleans' provider: each grain gets its own answer, or its own error.
            LogBatchFailed(reads.Count, stateName, ex.Message);
            foreach (Read read in reads)
            {
                read.ReadAlone();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batched read of {Count} '{StateName}' states failed, each is read alone: {Reason}")]
    private partial void LogBatchFailed(int count, string stateName, string reason);

    /// <summary>A read waiting for its batch.</summary>
    private abstract class Read(string stateName, long n1, string? text, int grainHash)
    {
        public string StateName { get; } = stateName;

        public long N1 { get; } = n1;

        public string? Text { get; } = text;

        public int GrainHash { get; } = grainHash;

        public abstract int TypeHash(byte[] typeBytes);

        /// <summary>Hands the grain its state: <paramref name="payload"/> null when there is no row or the state was cleared.</summary>
        public abstract void Complete(byte[]? payload, string? etag);

        public abstract void ReadAlone();
    }

    private sealed class Read<T>(BatchedStateReads owner, string stateName, GrainId grainId, IGrainState<T> state, int grainHash, long n1, string? text)
        : Read(stateName, n1, text, grainHash)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Task => _done.Task;

        public override int TypeHash(byte[] typeBytes) => owner.Hasher(StateName, grainId, state).Hash(typeBytes);

        public override void Complete(byte[]? payload, string? etag)
        {
            try
            {
                // As Orleans' provider does: no payload is a new state, with the row's version when there is a row.
                state.State = (payload is null ? default : owner._options.GrainStorageSerializer.Deserialize<T>(new BinaryData(payload))) ?? Activator.CreateInstance<T>();
                state.ETag = etag;
                state.RecordExists = payload is not null;
                _done.TrySetResult();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _done.TrySetException(ex);
            }
        }

        public override void ReadAlone() =>
            _ = owner._provider.ReadStateAsync(StateName, grainId, state).ContinueWith(
                (t, o) =>
                {
                    var done = (TaskCompletionSource)o!;
                    if (t.Exception is { } error)
                    {
                        done.TrySetException(error.InnerExceptions);
                    }
                    else
                    {
                        done.TrySetResult();
                    }
                },
                _done,
                TaskScheduler.Default);
    }
}
