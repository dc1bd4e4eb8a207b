using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using Orleans.Storage;
using TwinCity.Grains.Storage;

namespace TwinCity.Silo.Storage;

/// <summary>
/// Orleans' ADO.NET grain storage with its reads and writes gathered: every read (or write) waiting
/// while the previous batch was on its way goes to PostgreSQL as one statement (up to
/// <see cref="MaxBatch"/> grains), so a silo waking thousands of twins at once (a restart, a silo's
/// share taken over), or provisioning a city's devices, costs a few statements a second instead of
/// one each, and a write batch one commit. Clears go to Orleans' provider unchanged.
/// </summary>
/// <remarks>
/// The query reads the same rows Orleans' provider reads (TwinCity's schema, <c>db/migrations</c>):
/// the grain's hash by the provider's own hasher (<see cref="AdoNetGrainStorageOptions.HashPicker"/>)
/// over the key bytes as the provider lays them out, and the state read back by the provider's own
/// serializer. A write calls the same function Orleans' write query calls
/// (<c>orleans_storage_write</c>: insert when the grain holds no ETag, update when the row still has
/// the ETag's version) once per grain within one statement, and answers each grain as the provider
/// does: the new version as its ETag, or <see cref="InconsistentStateException"/> when the version
/// did not match. <c>BatchedGrainStorageTests</c> checks that a read here equals Orleans' read of the
/// same grain and that a write here reads back through Orleans' provider, so a change of Orleans'
/// layout shows up there, not in a city.
/// A grain whose key this does not lay out (a GUID key, a key extension) is read by the provider.
/// </remarks>
public sealed partial class BatchedGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>The most grains one query reads.</summary>
    public const int MaxBatch = 1000;

    /// <summary>Queries that may be on their way at once.</summary>
    private const int Readers = 2;

    private const string WriteStatement = """
        SELECT w.i, orleans_storage_write(w.hash, 0, w.n1, $4, $5, w.key_text, $6, w.expected, w.payload)
        FROM unnest($1::integer[], $2::bigint[], $3::text[], $7::integer[], $8::bytea[])
            WITH ORDINALITY AS w(hash, n1, key_text, expected, payload, i)
        """;

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
    private readonly Channel<Write> _writes = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = false });
    private long _batches;
    private long _grains;
    private long _writeBatches;
    private long _written;

    public BatchedGrainStorage(IGrainStorage provider, string name, AdoNetGrainStorageOptions options, IOptions<ClusterOptions> cluster, NpgsqlDataSource dataSource, ILogger<BatchedGrainStorage> logger)
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
            _ = Task.Run(WriteLoopAsync);
        }
    }

    /// <summary>Queries run so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Grains read by those queries.</summary>
    public long Grains => Interlocked.Read(ref _grains);

    /// <summary>Write statements run so far.</summary>
    public long WriteBatches => Interlocked.Read(ref _writeBatches);

    /// <summary>Grains written by those statements (whether or not their version matched).</summary>
    public long Written => Interlocked.Read(ref _written);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (!TryBatchKey(stateName, grainId, grainState, out long n1, out string? text, out int grainHash))
        {
            return _provider.ReadStateAsync(stateName, grainId, grainState);
        }

        var read = new Read<T>(this, stateName, grainId, grainState, grainHash, n1, text);
        if (!_reads.Writer.TryWrite(read))
        {
            return _provider.ReadStateAsync(stateName, grainId, grainState);
        }

        return read.Task;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (!TryVersion(grainState.ETag, out int? expected)
            || !TryBatchKey(stateName, grainId, grainState, out long n1, out string? text, out int grainHash))
        {
            return _provider.WriteStateAsync(stateName, grainId, grainState);
        }

        // Serialized now, as the provider does when it is called: what is written is the state the
        // grain asked to write, whatever it does after.
        byte[] payload = _options.GrainStorageSerializer.Serialize(grainState.State).ToArray();
        var write = new Write<T>(this, stateName, grainId, grainState, grainHash, n1, text, expected, payload);
        if (!_writes.Writer.TryWrite(write))
        {
            return _provider.WriteStateAsync(stateName, grainId, grainState);
        }

        return write.Task;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => _provider.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle observer)
    {
        if (_provider is ILifecycleParticipant<ISiloLifecycle> participant)
        {
            participant.Participate(observer);
        }
    }

    public void Dispose()
    {
        _reads.Writer.TryComplete();
        _writes.Writer.TryComplete();
    }

    /// <summary>
    /// Whether a batch can take this grain (a key laid out as <see cref="TryKey"/> says, a state name
    /// without generic arguments, which the provider would rewrite), and its key and hash when so.
    /// </summary>
    private bool TryBatchKey<T>(string stateName, GrainId grainId, IGrainState<T> grainState, out long n1, out string? text, out int grainHash)
    {
        grainHash = 0;
        if (!TryKey(grainId, out n1, out text) || stateName.Contains('`', StringComparison.Ordinal))
        {
            return false;
        }

        grainHash = Hasher(stateName, grainId, grainState).Hash(HashBytes(n1, text));
        return true;
    }

    /// <summary>The version an ETag names (none before the first write); false for an ETag this provider never gave.</summary>
    private static bool TryVersion(string? etag, out int? version)
    {
        version = null;
        if (string.IsNullOrWhiteSpace(etag))
        {
            return true;
        }

        if (int.TryParse(etag, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed))
        {
            version = parsed;
            return true;
        }

        return false;
    }

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

    private Task ReadLoopAsync() => GatherAsync(_reads.Reader, ReadBatchAsync);

    private Task WriteLoopAsync() => GatherAsync(_writes.Reader, WriteBatchAsync);

    /// <summary>Takes whatever waits (up to <see cref="MaxBatch"/>) as one batch per state name, and again once those are done.</summary>
    private static async Task GatherAsync<T>(ChannelReader<T> reader, Func<string, List<T>, Task> run)
        where T : Waiting
    {
        var batch = new List<T>(MaxBatch);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out T? item))
            {
                batch.Add(item);
            }

            foreach (IGrouping<string, T> kind in batch.GroupBy(w => w.StateName, StringComparer.Ordinal))
            {
                await run(kind.Key, [.. kind]);
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
                    read.Complete(found.Payload, StorageETags.Of(found.Version));
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
                read.Alone();
            }
        }
    }

    private async Task WriteBatchAsync(string stateName, List<Write> writes)
    {
        int?[] versions = new int?[writes.Count];
        try
        {
            int typeHash = writes[0].TypeHash(Encoding.UTF8.GetBytes(stateName));
            await using (NpgsqlCommand command = _dataSource.CreateCommand(WriteStatement))
            {
                command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. writes.Select(w => w.GrainHash)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
                command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. writes.Select(w => w.N1)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
                command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. writes.Select(w => w.Text)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = typeHash });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stateName });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
                command.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. writes.Select(w => w.Expected)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
                command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. writes.Select(w => w.Payload)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
                await using NpgsqlDataReader row = await command.ExecuteReaderAsync();
                while (await row.ReadAsync())
                {
                    versions[(int)row.GetInt64(0) - 1] = row.IsDBNull(1) ? null : row.GetInt32(1);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Each grain is written alone through Orleans' provider, and gets its own answer or its
            // own error. A statement the server refused committed nothing; one whose answer was lost
            // on the way may have, and a grain written by it then hears of a version conflict, as it
            // would from the provider.
            LogWriteBatchFailed(writes.Count, stateName, ex.Message);
            foreach (Write write in writes)
            {
                write.Alone();
            }

            return;
        }

        Interlocked.Increment(ref _writeBatches);
        Interlocked.Add(ref _written, writes.Count);
        for (int i = 0; i < writes.Count; i++)
        {
            writes[i].Complete(versions[i]);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batched read of {Count} '{StateName}' states failed, each is read alone: {Reason}")]
    private partial void LogBatchFailed(int count, string stateName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batched write of {Count} '{StateName}' states failed, each is written alone: {Reason}")]
    private partial void LogWriteBatchFailed(int count, string stateName, string reason);

    /// <summary>Completes <paramref name="done"/> as <paramref name="task"/> ends.</summary>
    private static void Forward(Task task, TaskCompletionSource done) =>
        _ = task.ContinueWith(
            (t, o) =>
            {
                var completion = (TaskCompletionSource)o!;
                if (t.Exception is { } error)
                {
                    completion.TrySetException(error.InnerExceptions);
                }
                else
                {
                    completion.TrySetResult();
                }
            },
            done,
            TaskScheduler.Default);

    /// <summary>A read or a write waiting for its batch: the grain's key as the table lays it out, and the grain's answer.</summary>
    private abstract class Waiting(string stateName, long n1, string? text, int grainHash)
    {
        public string StateName { get; } = stateName;

        public long N1 { get; } = n1;

        public string? Text { get; } = text;

        public int GrainHash { get; } = grainHash;

        public Task Task => Done.Task;

        protected TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public abstract int TypeHash(byte[] typeBytes);

        /// <summary>Does it through Orleans' provider instead, the grain getting the provider's answer (a batch that failed).</summary>
        public void Alone() => Forward(ByProvider(), Done);

        protected abstract Task ByProvider();
    }

    /// <summary>A read waiting for its batch.</summary>
    private abstract class Read(string stateName, long n1, string? text, int grainHash) : Waiting(stateName, n1, text, grainHash)
    {
        /// <summary>Hands the grain its state: <paramref name="payload"/> null when there is no row or the state was cleared.</summary>
        public abstract void Complete(byte[]? payload, string? etag);
    }

    private sealed class Read<T>(BatchedGrainStorage owner, string stateName, GrainId grainId, IGrainState<T> state, int grainHash, long n1, string? text)
        : Read(stateName, n1, text, grainHash)
    {
        public override int TypeHash(byte[] typeBytes) => owner.Hasher(StateName, grainId, state).Hash(typeBytes);

        public override void Complete(byte[]? payload, string? etag)
        {
            try
            {
                // As Orleans' provider does: no payload is a new state, with the row's version when there is a row.
                state.State = (payload is null ? default : owner._options.GrainStorageSerializer.Deserialize<T>(new BinaryData(payload))) ?? Activator.CreateInstance<T>();
                state.ETag = etag;
                state.RecordExists = payload is not null;
                Done.TrySetResult();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Done.TrySetException(ex);
            }
        }

        protected override Task ByProvider() => owner._provider.ReadStateAsync(StateName, grainId, state);
    }

    /// <summary>A write waiting for its batch, its state already serialized.</summary>
    private abstract class Write(string stateName, long n1, string? text, int grainHash, int? expected, byte[] payload) : Waiting(stateName, n1, text, grainHash)
    {
        /// <summary>The version the grain's ETag names; none for a grain that found no record.</summary>
        public int? Expected { get; } = expected;

        public byte[] Payload { get; } = payload;

        /// <summary>Hands the grain the new version, or the version conflict Orleans' provider would report (<paramref name="version"/> null or unchanged).</summary>
        public abstract void Complete(int? version);
    }

    private sealed class Write<T>(BatchedGrainStorage owner, string stateName, GrainId grainId, IGrainState<T> state, int grainHash, long n1, string? text, int? expected, byte[] payload)
        : Write(stateName, n1, text, grainHash, expected, payload)
    {
        public override int TypeHash(byte[] typeBytes) => owner.Hasher(StateName, grainId, state).Hash(typeBytes);

        public override void Complete(int? version)
        {
            if (version is not int written || written == Expected)
            {
                // No row inserted or updated: another activation wrote first (Orleans' provider says the same).
                Done.TrySetException(new InconsistentStateException(
                    $"Version conflict (WriteState): ServiceId={owner._serviceId} ProviderName={owner._name} GrainType={StateName} GrainId={grainId} ETag={state.ETag}."));
                return;
            }

            state.ETag = StorageETags.Of(written);
            state.RecordExists = true;
            Done.TrySetResult();
        }

        protected override Task ByProvider() => owner._provider.WriteStateAsync(StateName, grainId, state);
    }
}
