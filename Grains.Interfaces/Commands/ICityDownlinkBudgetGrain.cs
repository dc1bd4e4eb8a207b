namespace TwinCity.Grains.Interfaces.Commands;

/// <summary>
/// The city's downlink budget, one for the whole cluster (key 0): a token bucket of
/// <c>Twins:CityDownlinksPerSecond</c> refilled each second up to <c>Twins:CityDownlinkBurst</c>.
/// Silos lease downlinks from it a few at a time, so that the city's airtime holds however many
/// silos there are.
/// </summary>
public interface ICityDownlinkBudgetGrain : IGrainWithIntegerKey
{
    /// <summary>Takes up to <paramref name="wanted"/> downlinks from the bucket; none when it is empty, with how long until one is back.</summary>
    ValueTask<DownlinkLease> LeaseAsync(int wanted);
}

/// <summary>Downlinks granted from the city's budget, or, when none, how long until there is one.</summary>
[GenerateSerializer, Immutable, Alias("twincity.downlink-lease")]
public readonly record struct DownlinkLease([property: Id(0)] int Granted, [property: Id(1)] TimeSpan RetryAfter);
