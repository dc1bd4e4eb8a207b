using System.Diagnostics;
using System.Globalization;
using TwinCity.Bench.Measure;

namespace TwinCity.Bench.Engine;

/// <summary>
/// Calls to an empty grain per second on a silo of the embedded city's configuration: the rate no
/// grain-per-uplink design can beat on this machine. Calls come from inside the silo, many at a time,
/// over a fixed set of grains (activated once before the clock starts).
/// </summary>
public static class EngineRate
{
    public static async Task<(double CallsPerSecond, long Calls, double Seconds)> MeasureAsync(TimeSpan duration, int grains, int concurrency, CancellationToken cancellationToken)
    {
        await using LocalSilo silo = await LocalSilo.StartAsync(cancellationToken);
        IBenchPingGrain[] targets = [.. Enumerable.Range(0, grains).Select(i => silo.Grains.GetGrain<IBenchPingGrain>(i))];
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken }, async (g, _) => await g.PingAsync());

        // Warm up the call path (JIT, tiered compilation) before measuring.
        await RunAsync(targets, concurrency, TimeSpan.FromSeconds(Math.Min(2, duration.TotalSeconds / 4)), cancellationToken);
        var clock = Stopwatch.StartNew();
        long calls = await RunAsync(targets, concurrency, duration, cancellationToken);
        double seconds = clock.Elapsed.TotalSeconds;
        Progress.Say(string.Create(CultureInfo.InvariantCulture, $"empty grain: {calls:N0} calls in {seconds:0.0} s"));
        return (calls / seconds, calls, seconds);
    }

    private static async Task<long> RunAsync(IBenchPingGrain[] targets, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        long calls = 0;
        DateTime end = DateTime.UtcNow + duration;
        Task[] workers = [.. Enumerable.Range(0, concurrency).Select(w => Task.Run(
            async () =>
            {
                int i = w;
                long mine = 0;
                while ((mine & 63) != 0 || DateTime.UtcNow < end)
                {
                    await targets[i % targets.Length].PingAsync();
                    i += concurrency;
                    mine++;
                }

                Interlocked.Add(ref calls, mine);
            },
            cancellationToken))];
        await Task.WhenAll(workers);
        return calls;
    }
}
