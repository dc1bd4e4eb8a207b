using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.GrainDirectory;
using TwinCity.Grains.Interfaces;

namespace TwinCity.Grains.Cluster;

/// <summary>
/// The grain directory cache of a cluster silo: a grain active on this silo is found in the silo's
/// own catalog; Orleans' bounded LRU cache keeps the addresses of grains active elsewhere.
/// </summary>
/// <remarks>
/// Orleans addresses a call from its directory cache, or else asks the silo that keeps the grain's
/// part of the directory, which for two grains in three is another silo; it does not look in its own
/// catalog first. A silo applies its devices' uplinks to twins it hosts itself, so once it hosts more
/// twins than the cache holds (<c>Orleans:DirectoryCacheSize</c>, 20,000; a city puts hundreds of
/// thousands on each silo) most uplinks cost a lookup on another silo and its answer:
/// <c>cluster --silos 3 --devices 100000</c> sent 0.99 messages between silos an uplink, against
/// 0.015 with 10,000 devices. Raising the cap instead would keep an entry of about 420 bytes for
/// every twin. Here a lookup asks the catalog first
/// (<see cref="ILocalActivationStatusChecker"/>, one dictionary lookup, no memory of its own), and
/// the addresses of this silo's own activations are not copied into the LRU cache, which so keeps its
/// room for the grains this silo calls elsewhere (cells, twins read through the API).
/// <para>
/// A grain that is in neither, and that the caller marked as this silo's (<see cref="PresumedLocal"/>:
/// ingest and the wake, calling the twin of a device this silo owns), is answered with this silo too,
/// so that waking it costs no lookup on another silo; the directory still has the last word when the
/// twin registers.
/// </para>
/// <para>
/// An address answered from the catalog names this silo and no activation, as Orleans' placement
/// does for a grain it is about to activate: the call goes to this silo's catalog, which delivers it
/// to the activation, or, should that have ended in between, activates the grain again or forwards
/// the call where the directory says it now is, as it does with any stale cache entry.
/// </para>
/// </remarks>
public sealed class LocalFirstDirectoryCache : IGrainDirectoryCache, IAsyncDisposable
{
    private readonly ILocalActivationStatusChecker _catalog;
    private readonly SiloAddress _self;
    private readonly IGrainDirectoryCache _elsewhere;

    public LocalFirstDirectoryCache(
        IServiceProvider services,
        ILocalActivationStatusChecker catalog,
        ILocalSiloDetails silo,
        IOptions<GrainDirectoryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(silo);
        _catalog = catalog;
        _self = silo.SiloAddress;
        GrainDirectoryOptions configured = options.Value;
        _elsewhere = GrainDirectoryCacheFactory.CreateGrainDirectoryCache(services, new GrainDirectoryOptions
        {
            CachingStrategy = GrainDirectoryOptions.CachingStrategyType.LRU,
            CacheSize = configured.CacheSize,
            MaximumCacheTTL = configured.MaximumCacheTTL,
        });
    }

    /// <summary>Addresses of grains active on other silos (and of grains placed here that have not activated yet).</summary>
    public IEnumerable<(GrainAddress ActivationAddress, int Version)> KeyValues => _elsewhere.KeyValues;

    public bool LookUp(GrainId key, [NotNullWhen(true)] out GrainAddress? result, out int version)
    {
        if (_catalog.IsLocallyActivated(key))
        {
            result = new GrainAddress { GrainId = key, SiloAddress = _self };
            version = 0;
            return true;
        }

        if (_elsewhere.LookUp(key, out result, out version))
        {
            return true;
        }

        if (PresumedLocal.Is(key))
        {
            // Ingest or the wake calls a twin of a device this silo applies: it is to be activated here.
            result = new GrainAddress { GrainId = key, SiloAddress = _self };
            version = 0;
            return true;
        }

        return false;
    }

    public void AddOrUpdate(GrainAddress value, int version)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_self.Equals(value.SiloAddress) && !value.ActivationId.IsDefault)
        {
            // An activation of this silo, registered: the catalog finds it for as long as it lives,
            // and any older entry of the grain goes. (Placement's note that a grain is to activate
            // here names no activation and is kept, for the calls that come while it activates.)
            _elsewhere.Remove(value.GrainId);
            return;
        }

        _elsewhere.AddOrUpdate(value, version);
    }

    public bool Remove(GrainId key) => _elsewhere.Remove(key);

    public bool Remove(GrainAddress key) => _elsewhere.Remove(key);

    public void Clear() => _elsewhere.Clear();

    public ValueTask DisposeAsync()
    {
        switch (_elsewhere)
        {
            case IAsyncDisposable asyncDisposable:
                return asyncDisposable.DisposeAsync();
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        return ValueTask.CompletedTask;
    }
}

public static class LocalFirstDirectoryCacheExtensions
{
    /// <summary>Has Orleans' grain directory find this silo's active grains in its catalog (<see cref="LocalFirstDirectoryCache"/>).</summary>
    public static ISiloBuilder UseLocalFirstDirectoryCache(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton<IGrainDirectoryCache, LocalFirstDirectoryCache>();
        silo.Configure<GrainDirectoryOptions>(o => o.CachingStrategy = GrainDirectoryOptions.CachingStrategyType.Custom);
        return silo;
    }
}
