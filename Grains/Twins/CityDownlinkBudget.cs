using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace TwinCity.Grains.Twins;

/// <summary>
/// The downlinks this silo may start per second for the whole city (<c>Twins:CityDownlinksPerSecond</c>,
/// <c>Twins:CityDownlinkBurst</c>): a token bucket, so that a flood of commands or a rule over a wide
/// area cannot fill the gateways' airtime. Kept per silo: the city's total is this times the silos.
/// </summary>
public sealed class CityDownlinkBudget : IDisposable
{
    private readonly TokenBucketRateLimiter _bucket;

    public CityDownlinkBudget(IOptions<TwinOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TwinOptions o = options.Value;
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, o.CityDownlinkBurst),
            TokensPerPeriod = Math.Max(1, o.CityDownlinksPerSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>Takes one downlink from the budget; when it is spent, says how long until there is one again.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        using RateLimitLease lease = _bucket.AttemptAcquire(1);
        retryAfter = lease.IsAcquired ? TimeSpan.Zero
            : lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? wait : TimeSpan.FromSeconds(1);
        return lease.IsAcquired;
    }

    public void Dispose() => _bucket.Dispose();
}
