using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace TwinCity.Grains.Storage;

/// <summary>
/// Grain storage for a city that runs as one silo: each state is kept in this process as an
/// exactly sized serialized copy. Orleans' memory storage keeps its copies in storage grains (so
/// that several silos can share them) inside buffers that grow by doubling; for a lone silo with a
/// million twins that is a few hundred MB for nothing. Like any in-memory storage it dies with the process.
/// </summary>
public sealed class LocalGrainStorage(Serializer serializer) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string StateName, GrainId GrainId), Stored> _states = new();

    public int Count => _states.Count;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (_states.TryGetValue((stateName, grainId), out Stored? stored))
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
        var key = (stateName, grainId);
        byte[] data = serializer.SerializeToArray(grainState.State);
        while (true)
        {
            if (_states.TryGetValue(key, out Stored? current))
            {
                Check(grainState.ETag, current, stateName, grainId);
                var next = new Stored(data, current.Version + 1);
                if (_states.TryUpdate(key, next, current))
                {
                    grainState.ETag = ETag(next.Version);
                    break;
                }
            }
            else
            {
                Check(grainState.ETag, null, stateName, grainId);
                if (_states.TryAdd(key, new Stored(data, 1)))
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
        var key = (stateName, grainId);
        while (_states.TryGetValue(key, out Stored? current))
        {
            Check(grainState.ETag, current, stateName, grainId);
            if (_states.TryRemove(new KeyValuePair<(string, GrainId), Stored>(key, current)))
            {
                break;
            }
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static string ETag(long version) => version.ToString(CultureInfo.InvariantCulture);

    private static void Check(string? etag, Stored? current, string stateName, GrainId grainId)
    {
        string? expected = current is null ? null : ETag(current.Version);
        if (!string.Equals(etag, expected, StringComparison.Ordinal))
        {
            throw new InconsistentStateException(
                $"{stateName} of {grainId} was written by another activation (stored version {expected ?? "none"}, this one read {etag ?? "none"})",
                expected,
                etag);
        }
    }

    private sealed record Stored(byte[] Data, long Version);
}

public static class LocalGrainStorageExtensions
{
    /// <summary>
    /// The configuration of a city that runs as one silo: both storages in this process, and a
    /// small grain directory cache (every grain is local, so the cache would only hold a stale
    /// entry for each twin and device ever seen, about 250 bytes apiece).
    /// </summary>
    public static ISiloBuilder UseOneSiloStorage(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddLocalGrainStorage(TwinStorage.Name);
        silo.AddLocalGrainStorage(TwinStorage.Registry);
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
