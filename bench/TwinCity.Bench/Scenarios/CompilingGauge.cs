using System.Globalization;
using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Scenarios;

/// <summary>
/// Takes a cluster's silos for still warming up while their tiered-compilation threads used more
/// than <see cref="SteadyShare"/> of the silos' CPU over the last warm-up round. A silo held to a
/// share of a core compiles its hot code for minutes; timed then, the run measures the JIT rather
/// than the silos, and more of it with more silos (each compiles on its own).
/// </summary>
public sealed class CompilingGauge(ClusterLoad load) : UplinkRun.IWarmupGauge
{
    /// <summary>The share of the silos' CPU their tiered-compilation threads may still take in a warm silo.</summary>
    public const double SteadyShare = 0.03;

    private ClusterCpu? _atStart;

    public void RoundStarting() => _atStart = load.ReadCpu();

    public (string Reading, bool StillWarming) RoundEnded()
    {
        ClusterCpu round = load.ReadCpu().Minus(_atStart ?? throw new InvalidOperationException("the round was not started"));
        double share = round.TieredCompilation / Math.Max(round.SilosTotal, 1e-9);
        return (string.Create(CultureInfo.InvariantCulture, $"tiered compilation {round.TieredCompilation:0.00} s of the silos' {round.SilosTotal:0.00} s of CPU ({share * 100:0.0} %)"), share > SteadyShare);
    }
}
