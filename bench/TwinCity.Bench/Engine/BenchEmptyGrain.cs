namespace TwinCity.Bench.Engine;

public sealed class BenchEmptyGrain : Grain, IBenchEmptyGrain
{
    public ValueTask TouchAsync() => ValueTask.CompletedTask;
}
