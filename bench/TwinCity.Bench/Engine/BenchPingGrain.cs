namespace TwinCity.Bench.Engine;

public sealed class BenchPingGrain : Grain, IBenchPingGrain
{
    public ValueTask PingAsync() => ValueTask.CompletedTask;
}
