using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Storage;

/// <summary>
/// Grain storage for a city that runs as one silo: each state is kept in this process as an
/// exactly sized serialized copy. Orleans' memory storage keeps its copies in storage grains (so
/// that several silos can share them) inside buffers that grow by doubling; for a lone silo with a
/// million twins that is a few hundred MB for nothing. Each state name has its own table keyed by
/// grain id alone, a plain dictionary behind a lock whose entries hold the copy and its version
/// inline (a concurrent dictionary makes a node object per row: a million more objects for every
/// full collection to mark); copies are serialized and read outside the lock. A copy of a few
/// bytes (a marker record, such as the entry each twin writes once to say it exists) is the same for
/// every grain, and one array is kept for all the rows that hold the same bytes. Like any in-memory
/// storage it dies with the process.
/// </summary>
public sealed class LocalGrainStorage(Serializer serializer) : IGrainStorage
{
    /// <summary>Copies of at most this many bytes are shared between rows that hold the same bytes.</summary>
    internal const int SharedCopyBytes = 16;

    /// <summary>How many distinct short copies are shared; past that a copy is kept as written.</summary>
    internal const int SharedCopies = 1024;

    private readonly ConcurrentDictionary<string, Table> _tables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _shortCopies = new(StringComparer.Ordinal);
    private int _shortCopyCount;

    public int Count => _tables.Values.Sum(t => t.Count);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (_tables.TryGetValue(stateName, out Table? table) && table.TryGet(grainId, out Stored stored))
        {
            grainState.State = serializer.Deserialize<T>(stored.Data);
            grainState.ETag = StorageETags.Of(stored.Version);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        Table table = _tables.GetOrAdd(stateName, static _ => new Table());
        byte[] data = Shared(serializer.SerializeToArray(grainState.State));
        long version = table.Write(grainId, data, grainState.ETag, stateName);
        grainState.ETag = StorageETags.Of(version);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (_tables.TryGetValue(stateName, out Table? table))
        {
            table.Clear(grainId, grainState.ETag, stateName);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    /// <summary>
    /// The array kept for copies of these bytes when the copy is short: a million rows of the same
    /// 3-byte record would otherwise cost 32 bytes each. Stored copies are only ever read, never
    /// written into, so rows may share one.
    /// </summary>
    private byte[] Shared(byte[] data)
    {
        if (data.Length > SharedCopyBytes)
        {
            return data;
        }

        string bytes = Convert.ToBase64String(data);
        if (_shortCopies.TryGetValue(bytes, out byte[]? held))
        {
            return held;
        }

        // The count is kept apart, as SharedStrings keeps its own: a concurrent dictionary's count
        // takes every one of its locks, which a full set of copies would do on every new short copy.
        if (Volatile.Read(ref _shortCopyCount) >= SharedCopies)
        {
            return data;
        }

        held = _shortCopies.GetOrAdd(bytes, data);
        if (ReferenceEquals(held, data))
        {
            Interlocked.Increment(ref _shortCopyCount);
        }

        return held;
    }

    /// <summary>The array a row of <paramref name="stateName"/> for <paramref name="grainId"/> holds, for tests of sharing.</summary>
    internal byte[]? StoredCopy(string stateName, GrainId grainId) =>
        _tables.TryGetValue(stateName, out Table? table) && table.TryGet(grainId, out Stored stored) ? stored.Data : null;

    private static void Check(string? etag, long? stored, string stateName, GrainId grainId)
    {
        string? expected = stored is long version ? StorageETags.Of(version) : null;
        if (!string.Equals(etag, expected, StringComparison.Ordinal))
        {
            throw new InconsistentStateException(
                $"{stateName} of {grainId} was written by another activation (stored version {expected ?? "none"}, this one read {etag ?? "none"})",
                expected,
                etag);
        }
    }

    /// <summary>
    /// One state name's copies. Grains of one type with a plain integer key (a device and its DevEUI)
    /// have their rows keyed by that integer: a grain id's key is its text, 40 bytes of array for a
    /// 64-bit number, and a million registrations would keep a million of them for nothing.
    /// </summary>
    private sealed class Table
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<GrainId, Stored> _rows = [];
        private readonly Dictionary<long, Stored> _byInteger = [];
        private GrainType? _integerType;

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _rows.Count + _byInteger.Count;
                }
            }
        }

        public bool TryGet(GrainId grainId, out Stored stored)
        {
            lock (_gate)
            {
                return TryGet(IntegerKey(grainId, claim: false), grainId, out stored);
            }
        }

        /// <summary>Stores <paramref name="data"/> if <paramref name="etag"/> names the stored version; the new version.</summary>
        public long Write(GrainId grainId, byte[] data, string? etag, string stateName)
        {
            lock (_gate)
            {
                // Claiming the type before the lookup finds nothing missed: until a table has an
                // integer-keyed type, none of its rows is keyed by an integer.
                long? key = IntegerKey(grainId, claim: true);
                bool exists = TryGet(key, grainId, out Stored current);
                Check(etag, exists ? current.Version : null, stateName, grainId);
                var row = new Stored(data, exists ? current.Version + 1 : 1);
                if (key is long integer)
                {
                    _byInteger.SetLean(integer, row);
                }
                else
                {
                    _rows.SetLean(grainId, row);
                }

                return row.Version;
            }
        }

        public void Clear(GrainId grainId, string? etag, string stateName)
        {
            lock (_gate)
            {
                long? key = IntegerKey(grainId, claim: false);
                if (TryGet(key, grainId, out Stored current))
                {
                    Check(etag, current.Version, stateName, grainId);
                    if (key is long integer)
                    {
                        _byInteger.Remove(integer);
                    }
                    else
                    {
                        _rows.Remove(grainId);
                    }
                }
            }
        }

        /// <summary>The row of <paramref name="grainId"/>, whose integer <paramref name="key"/> (if any) <see cref="IntegerKey"/> gave.</summary>
        private bool TryGet(long? key, GrainId grainId, out Stored stored) =>
            key is long integer ? _byInteger.TryGetValue(integer, out stored) : _rows.TryGetValue(grainId, out stored);

        /// <summary>
        /// The integer a row of <paramref name="grainId"/> is keyed by: only for the table's one
        /// integer-keyed grain type (the first written, when <paramref name="claim"/>), and only when the
        /// key is the integer's own text, so that no two grain ids share a row.
        /// </summary>
        private long? IntegerKey(GrainId grainId, bool claim)
        {
            if (_integerType is GrainType type ? !type.Equals(grainId.Type) : !claim)
            {
                return null;
            }

            if (!grainId.TryGetIntegerKey(out long key, out string? extension) || extension is not null
                || !GrainIdKeyExtensions.CreateIntegerKey(key).Equals(grainId.Key))
            {
                return null;
            }

            _integerType ??= grainId.Type;
            return key;
        }
    }

    /// <summary>A stored copy and its version.</summary>
    private readonly record struct Stored(byte[] Data, long Version);
}

public static class LocalGrainStorageExtensions
{
    /// <summary>
    /// The configuration of a city that runs as one silo: both storages in this process; twins that
    /// write their snapshots only when they leave memory (a copy beside an active twin in the same
    /// process would survive nothing the twin does not); and a small grain directory cache (every
    /// grain is local, so the cache would only hold a stale entry for each twin and device ever seen,
    /// about 250 bytes apiece). A silo that no other joins also takes
    /// <see cref="Cluster.LoneSiloExtensions.UseLoneSiloDirectory"/>.
    /// </summary>
    public static ISiloBuilder UseOneSiloStorage(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddLocalGrainStorage(TwinStorage.Name);
        silo.AddLocalGrainStorage(TwinStorage.Registry);
        silo.Services.PostConfigure<TwinOptions>(o => o.SnapshotWhileActive = false);
        silo.Configure<Orleans.Configuration.GrainDirectoryOptions>(o => o.CacheSize = 10_000);
        return silo;
    }

    /// <summary>Adds <see cref="LocalGrainStorage"/> under <paramref name="name"/>; for a city of one silo only.</summary>
    public static ISiloBuilder AddLocalGrainStorage(this ISiloBuilder silo, string name)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddGrainStorage(name, (services, _) => ActivatorUtilities.CreateInstance<LocalGrainStorage>(services));
        return silo;
    }
}
