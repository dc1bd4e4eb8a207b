using TwinCity.Grains.Twins;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>
/// Fault injection: every twin change waits <see cref="Delay"/> inside the twin's own turn, as a
/// twin behind a slow store or a heavy rule would, so that twins fall behind the broker.
/// </summary>
public sealed class SlowTwins : ITwinChangeHook
{
    private long _delayTicks;

    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    public async ValueTask OnTwinChangedAsync(ITwinChangeContext twin)
    {
        TimeSpan delay = Delay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }
    }
}
