namespace TwinCity.Bench.Engine;

/// <summary>A grain that does nothing: its call rate is the engine's own limit on this machine.</summary>
[Alias("twincity.bench.IBenchPingGrain")]
public interface IBenchPingGrain : IGrainWithIntegerKey
{
    [Alias("Ping")]
    ValueTask PingAsync();
}
