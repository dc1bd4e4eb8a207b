using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.GrainDirectory;
using Orleans.Metadata;
using Orleans.Runtime.GrainDirectory;

namespace TwinCity.Grains.Cluster;

/// <summary>
/// The grain directory of a silo that is a cluster of its own: it keeps nothing.
/// </summary>
/// <remarks>
/// Orleans' built-in directory keeps a row, an entry object and an address for every activation
/// (about 120 bytes; some 120 MB with a million twins) so that silos can find each other's grains.
/// A lone silo has nobody to tell: every grain lives in it, and its catalog already keeps at most one
/// activation per grain. So a registration always stands as made, and a lookup, in the directory or
/// in its cache, answers "this silo" for every grain: the call goes to this silo's catalog, which
/// finds the activation or makes it. (One consequence: <c>IManagementGrain.GetActivationAddress</c>,
/// which asks the directory, names this silo for any grain; <c>GetActiveGrains</c> lists what is in
/// memory.)
/// <para>
/// That holds only while the silo is alone. Should another silo join its cluster, neither could
/// find the other's grains and both would activate the same twins, so the silo logs the reason and
/// stops rather than serve two copies of a twin. A silo meant to be joined keeps the built-in
/// directory (<see cref="LoneSiloExtensions.UseLoneSiloDirectory"/> is not called for it).
/// </para>
/// </remarks>
public sealed partial class OneSiloGrainDirectory(IServiceProvider services, ILogger<OneSiloGrainDirectory> logger)
    : IGrainDirectory, IGrainDirectoryResolver, IGrainDirectoryCache, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private SiloAddress? _self;
    private Task? _watch;

    private SiloAddress Self => _self ??= services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    public Task<GrainAddress?> Register(GrainAddress address) => Task.FromResult<GrainAddress?>(address);

    public Task<GrainAddress?> Register(GrainAddress address, GrainAddress? previousAddress) => Task.FromResult<GrainAddress?>(address);

    public Task Unregister(GrainAddress address) => Task.CompletedTask;

    /// <summary>Every grain is here, or will be made here by the first call that reaches this silo.</summary>
    public Task<GrainAddress?> Lookup(GrainId grainId) => Task.FromResult<GrainAddress?>(Here(grainId));

    public Task UnregisterSilos(List<SiloAddress> siloAddresses) => Task.CompletedTask;

    // As the directory cache, it answers every lookup at once with this silo, so a call is addressed
    // where it is made instead of queueing for Orleans' placement (what the built-in directory's own
    // partition answers on a lone silo, without a row per grain to answer from).

    bool IGrainDirectoryCache.LookUp(GrainId key, out GrainAddress result, out int version)
    {
        result = Here(key);
        version = 0;
        return true;
    }

    void IGrainDirectoryCache.AddOrUpdate(GrainAddress value, int version)
    {
    }

    bool IGrainDirectoryCache.Remove(GrainId key) => false;

    bool IGrainDirectoryCache.Remove(GrainAddress key) => false;

    void IGrainDirectoryCache.Clear()
    {
    }

    IEnumerable<(GrainAddress ActivationAddress, int Version)> IGrainDirectoryCache.KeyValues => [];

    private GrainAddress Here(GrainId grainId) => new() { GrainId = grainId, SiloAddress = Self };

    public bool TryResolveGrainDirectory(
        GrainType grainType, GrainProperties? properties, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IGrainDirectory? grainDirectory)
    {
        grainDirectory = this;
        return true;
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(
            nameof(OneSiloGrainDirectory),
            ServiceLifecycleStage.RuntimeGrainServices,
            _ =>
            {
                _watch = WatchForOtherSilosAsync();
                return Task.CompletedTask;
            },
            async _ =>
            {
                await _stopping.CancelAsync();
                if (_watch is not null)
                {
                    await _watch.ContinueWith(_ => { }, TaskScheduler.Default);
                }
            });
    }

    private async Task WatchForOtherSilosAsync()
    {
        IClusterMembershipService membership = services.GetRequiredService<IClusterMembershipService>();
        SiloAddress self = Self;
        try
        {
            await foreach (ClusterMembershipSnapshot snapshot in membership.MembershipUpdates.WithCancellation(_stopping.Token))
            {
                foreach ((SiloAddress silo, ClusterMember member) in snapshot.Members)
                {
                    if (!silo.Equals(self) && member.Status is SiloStatus.Joining or SiloStatus.Active)
                    {
                        LogJoined(silo, self);
                        services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Critical,
        Message = "Silo {Other} joined the cluster of silo {Self}, which runs as a lone silo and keeps no grain directory: the two would each activate the same twins, so this silo stops. Run several silos in cluster mode (TwinCity:Mode=Cluster), or let an embedded silo be joined with Orleans:Joinable=true")]
    private partial void LogJoined(SiloAddress other, SiloAddress self);
}

public static class LoneSiloExtensions
{
    /// <summary>
    /// Gives every grain type the <see cref="OneSiloGrainDirectory"/>: for a silo that runs alone and
    /// that no other silo joins (it stops if one does).
    /// </summary>
    public static ISiloBuilder UseLoneSiloDirectory(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton<OneSiloGrainDirectory>();
        silo.Services.AddSingleton<IGrainDirectoryResolver>(sp => sp.GetRequiredService<OneSiloGrainDirectory>());
        silo.Services.AddSingleton<IGrainDirectoryCache>(sp => sp.GetRequiredService<OneSiloGrainDirectory>());
        silo.Configure<Orleans.Configuration.GrainDirectoryOptions>(o => o.CachingStrategy = Orleans.Configuration.GrainDirectoryOptions.CachingStrategyType.Custom);
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<OneSiloGrainDirectory>());
        return silo;
    }
}
