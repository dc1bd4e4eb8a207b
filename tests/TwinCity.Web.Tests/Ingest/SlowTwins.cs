using TwinCity.Grains.Twins;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>
/// Fault injection: every twin change waits <see cref="Delay"/> inside the twin's own turn, as a
/// twin behind a slow store or a heavy rule would, so that twins fall behind the broker.
/// </summary>
public sealed class SlowTwins : ITwinChangeHook
{
    private long _delayTicks;
    private long _changes;

    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>When set, only these twins are slowed and counted.</summary>
    public IReadOnlySet<string>? Only { get; set; }

    /// <summary>Changes of the twins in <see cref="Only"/> (of every twin when unset) seen so far.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    public async ValueTask OnTwinChangedAsync(ITwinChangeContext twin)
    {
        ArgumentNullException.ThrowIfNull(twin);
        if (Only is { } only && !only.Contains(twin.Id))
        {
            return;
        }

        Interlocked.Increment(ref _changes);
        TimeSpan delay = Delay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }
    }
}
