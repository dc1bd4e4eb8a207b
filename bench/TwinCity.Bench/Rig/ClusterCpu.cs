namespace TwinCity.Bench.Rig;

/// <summary>
/// CPU seconds (user + system) of the processes that carry a cluster run's load, part by part: each
/// silo, mosquitto, and the PostgreSQL server (postmaster and all its children). Apart, and already
/// counted in the silos', the CPU of the silos' tiered-compilation threads (<see cref="TieredCompilation"/>):
/// the runtime recompiling methods it has seen used often, which a silo in its steady state has done.
/// </summary>
public sealed record ClusterCpu(IReadOnlyList<double> Silos, double Mosquitto, double Postgres, double TieredCompilation = 0)
{
    /// <summary>The name the .NET runtime gives its tiered-compilation thread, as Linux shows it (15 characters).</summary>
    public const string TieredCompilationThread = ".NET Tiered Com";

    public double SilosTotal => Silos.Sum();

    public double Total => SilosTotal + Mosquitto + Postgres;

    /// <summary>What each part used from <paramref name="earlier"/> to this reading.</summary>
    public ClusterCpu Minus(ClusterCpu earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        if (earlier.Silos.Count != Silos.Count)
        {
            throw new ArgumentException($"readings of {Silos.Count} and {earlier.Silos.Count} silos cannot be compared", nameof(earlier));
        }

        return new ClusterCpu([.. Silos.Select((s, i) => s - earlier.Silos[i])], Mosquitto - earlier.Mosquitto, Postgres - earlier.Postgres, TieredCompilation - earlier.TieredCompilation);
    }
}
