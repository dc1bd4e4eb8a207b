using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Storage;

/// <summary>
/// Grain storage for a city that runs as one silo: each state is kept in this process as an
/// exactly sized serialized copy. Orleans' memory storage keeps its copies in storage grains (so
/// that several silos can share them) inside buffers that grow by doubling; for a lone silo with a
/// million twins that is a few hundred MB for nothing. Each state name has its own table keyed by
/// grain id alone, and a copy and its version sit in the table's entry itself rather than in an
/// object of their own. Like any in-memory storage it dies with the process.
/// </summary>
public sealed class LocalGrainStorage(Serializer serializer) : IGrainStorage
{
    /// <summary>The ETags of the first versions, made once: every grain's state holds one, and most states are written only a few times.</summary>
    private static readonly string[] SmallETags = [.. Enumerable.Range(0, 64).Select(v => v.ToString(CultureInfo.InvariantCulture))];

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<GrainId, Stored>> _tables = new(StringComparer.Ordinal);

    public int Count => _tables.Values.Sum(t => t.Count);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (_tables.TryGetValue(stateName, out ConcurrentDictionary<GrainId, Stored>? table) && table.TryGetValue(grainId, out Stored stored))
        {
            grainState.State = serializer.Deserialize<T>(stored.Data);
            grainState.ETag = ETag(stored.Version);
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
        ConcurrentDictionary<GrainId, Stored> table = _tables.GetOrAdd(stateName, static _ => new ConcurrentDictionary<GrainId, Stored>());
        byte[] data = serializer.SerializeToArray(grainState.State);
        while (true)
        {
            if (table.TryGetValue(grainId, out Stored current))
            {
                Check(grainState.ETag, current, stateName, grainId);
                var next = new Stored(data, current.Version + 1);
                if (table.TryUpdate(grainId, next, current))
                {
                    grainState.ETag = ETag(next.Version);
                    break;
                }
            }
            else
            {
                Check(grainState.ETag, null, stateName, grainId);
                if (table.TryAdd(grainId, new Stored(data, 1)))
                {
                    grainState.ETag = ETag(1);
                    break;
                }
            }
        }

        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (_tables.TryGetValue(stateName, out ConcurrentDictionary<GrainId, Stored>? table))
        {
            while (table.TryGetValue(grainId, out Stored current))
            {
                Check(grainState.ETag, current, stateName, grainId);
                if (table.TryRemove(new KeyValuePair<GrainId, Stored>(grainId, current)))
                {
                    break;
                }
            }
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static string ETag(long version) =>
        version >= 0 && version < SmallETags.Length ? SmallETags[version] : version.ToString(CultureInfo.InvariantCulture);

    private static void Check(string? etag, Stored? current, string stateName, GrainId grainId)
    {
        string? expected = current is { } c ? ETag(c.Version) : null;
        if (!string.Equals(etag, expected, StringComparison.Ordinal))
        {
            throw new InconsistentStateException(
                $"{stateName} of {grainId} was written by another activation (stored version {expected ?? "none"}, this one read {etag ?? "none"})",
                expected,
                etag);
        }
    }

    /// <summary>A stored copy; compared by the identity of its bytes and its version, which is what the table's compare-and-swap needs.</summary>
    private readonly record struct Stored(byte[] Data, long Version);
}

public static class LocalGrainStorageExtensions
{
    /// <summary>
    /// The configuration of a city that runs as one silo: both storages in this process; twins that
    /// write their snapshots only when they leave memory (a copy beside an active twin in the same
    /// process would survive nothing the twin does not); and a small grain directory cache (every
    /// grain is local, so the cache would only hold a stale entry for each twin and device ever seen,
    /// about 250 bytes apiece).
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
