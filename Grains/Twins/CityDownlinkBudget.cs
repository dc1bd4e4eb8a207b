using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Commands;

namespace TwinCity.Grains.Twins;

/// <summary>
/// This silo's share of the city's downlink budget (<c>Twins:CityDownlinksPerSecond</c>,
/// <c>Twins:CityDownlinkBurst</c>), so that a flood of commands or a rule over a wide area cannot fill
/// the gateways' airtime, however many silos take commands. The budget itself is one token bucket for
/// the cluster (<see cref="CityDownlinkBudgetGrain"/>); each silo leases a few downlinks from it at a
/// time and spends them locally for at most <see cref="LeaseLife"/> (a lease not spent by then is
/// dropped, never carried over, so the city never sends more than the bucket gave out). Once the
/// bucket answers that it is empty, this silo refuses without asking again until it said to.
/// </summary>
public sealed class CityDownlinkBudget(IGrainFactory grains, IOptions<TwinOptions> options, TimeProvider time)
{
    /// <summary>How long leased downlinks may wait to be spent.</summary>
    public static readonly TimeSpan LeaseLife = TimeSpan.FromSeconds(1);

    /// <summary>How many downlinks one lease asks for: a tenth of a second's worth, so that one silo cannot sit on the city's budget.</summary>
    private readonly int _batch = Math.Clamp(options.Value.CityDownlinksPerSecond / 10, 1, 50);
    private readonly Lock _sync = new();
    private int _held;
    private long _heldUntil;
    private long _refusedUntil;

    /// <summary>Takes one downlink from the city's budget; when it is spent, says how long until there is one again.</summary>
    public async ValueTask<(bool Taken, TimeSpan RetryAfter)> TryTakeAsync()
    {
        long now = time.GetTimestamp();
        lock (_sync)
        {
            if (_held > 0 && now < _heldUntil)
            {
                _held--;
                return (true, TimeSpan.Zero);
            }

            if (now < _refusedUntil)
            {
                return (false, time.GetElapsedTime(now, _refusedUntil));
            }
        }

        DownlinkLease lease = await grains.Grain<ICityDownlinkBudgetGrain>(0).LeaseAsync(_batch);
        now = time.GetTimestamp();
        lock (_sync)
        {
            if (lease.Granted == 0)
            {
                _refusedUntil = now + (long)(lease.RetryAfter.TotalSeconds * time.TimestampFrequency);
                return (false, lease.RetryAfter);
            }

            // Leases that arrive together add up; what an older one left past its life is gone.
            _held = (now < _heldUntil ? _held : 0) + lease.Granted - 1;
            _heldUntil = now + (long)(LeaseLife.TotalSeconds * time.TimestampFrequency);
            return (true, TimeSpan.Zero);
        }
    }
}
