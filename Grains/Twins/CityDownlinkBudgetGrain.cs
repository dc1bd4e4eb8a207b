using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces.Commands;

namespace TwinCity.Grains.Twins;

/// <summary>
/// The city's downlink budget for the whole cluster: a token bucket in one activation. It keeps
/// nothing in storage: an activation that starts afresh (after idle collection or the loss of its
/// silo) starts with a full bucket, as one that had been idle that long would have.
/// </summary>
public sealed class CityDownlinkBudgetGrain(IOptions<TwinOptions> options, TimeProvider time) : Grain, ICityDownlinkBudgetGrain
{
    private readonly double _rate = Math.Max(1, options.Value.CityDownlinksPerSecond);
    private readonly double _burst = Math.Max(1, options.Value.CityDownlinkBurst);
    private double _tokens = Math.Max(1, options.Value.CityDownlinkBurst);
    private long _refilledAt = time.GetTimestamp();

    public ValueTask<DownlinkLease> LeaseAsync(int wanted)
    {
        long now = time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + (time.GetElapsedTime(_refilledAt, now).TotalSeconds * _rate));
        _refilledAt = now;
        int granted = (int)Math.Min(Math.Max(1, wanted), Math.Floor(_tokens));
        if (granted > 0)
        {
            _tokens -= granted;
            return ValueTask.FromResult(new DownlinkLease(granted, TimeSpan.Zero));
        }

        return ValueTask.FromResult(new DownlinkLease(0, TimeSpan.FromSeconds((1 - _tokens) / _rate)));
    }
}
