using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using TwinCity.Grains.Cells;

namespace TwinCity.Grains.Twins;

/// <summary>
/// What every twin of a silo shares: the storage of its snapshot, the twins' options, the clock, the
/// due-time queue, the meters and the change hooks. A twin holds this one reference rather than a
/// field for each, which for a million twins is some 40 MB.
/// </summary>
public sealed class TwinServices(
    [FromKeyedServices(TwinStorage.Name)] IGrainStorage storage,
    IOptions<TwinOptions> options,
    TimeProvider time,
    TwinDueTimes dueTimes,
    IEnumerable<ITwinChangeHook> hooks,
    ICellUpdates cells,
    ILoggerFactory loggers,
    IServiceProvider services)
{
    public IGrainStorage Storage { get; } = storage;

    public TwinOptions Options { get; } = options.Value;

    public TimeProvider Time { get; } = time;

    public TwinDueTimes DueTimes { get; } = dueTimes;

    /// <summary>The change hooks every twin runs after each change, gathered once: every twin runs the same ones, so one array serves them all.</summary>
    public ITwinChangeHook[] Hooks { get; } = [.. hooks];

    /// <summary>Where the twins' changes go to reach their cells.</summary>
    public ICellUpdates Cells { get; } = cells;

    /// <summary>
    /// The twins' logger, one for all of them: a logger field in each twin would cost 8 MB a million
    /// twins. A twin's messages name it, and so its kind.
    /// </summary>
    public ILogger Logger { get; } = loggers.CreateLogger("TwinCity.Grains.Twins.TwinGrain");

    /// <summary>The twins' meters, when the silo registered them.</summary>
    public TwinMetrics? Metrics { get; } = services.GetService<TwinMetrics>();

    /// <summary>Where a twin records that it exists when first provisioned, so that asking costs no activation.</summary>
    internal StoredTwinDirectory? Directory { get; } = services.GetService<TwinCity.Grains.Interfaces.Twins.ITwinDirectory>() as StoredTwinDirectory;

    /// <summary>The twins' history, read once for all of them: a durable one is replayed by a twin as it wakes.</summary>
    public TwinCity.Grains.Interfaces.History.ITwinHistory? History { get; } = services.GetService<TwinCity.Grains.Interfaces.History.ITwinHistory>();

    /// <summary>
    /// Whether every applied uplink is kept in a durable history that a waking twin replays (cluster
    /// mode), so that a twin changed only by uplinks may write its snapshot later.
    /// </summary>
    public bool HistoryIsDurable => History is { IsDurable: true };

    /// <summary>The twin ids the silo's ingest holds for the devices it serves, which a waking twin takes as its own.</summary>
    public TwinCity.Grains.Interfaces.Twins.ISharedTwinIds? SharedIds { get; } = services.GetService<TwinCity.Grains.Interfaces.Twins.ISharedTwinIds>();

    /// <summary>The silo these twins live on; compared with the silo whose ingest sent an uplink.</summary>
    public SiloAddress? Silo { get; } = services.GetService<ILocalSiloDetails>()?.SiloAddress;
}
