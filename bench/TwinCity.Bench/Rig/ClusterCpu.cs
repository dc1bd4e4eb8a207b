namespace TwinCity.Bench.Rig;

/// <summary>
/// CPU seconds (user + system) of the processes that carry a cluster run's load, part by part: each
/// silo, mosquitto, and the PostgreSQL server (postmaster and all its children). Apart, and already
/// counted in the silos', the CPU of the silos' tiered-compilation threads (<see cref="TieredCompilation"/>):
/// the runtime recompiling methods it has seen used often, which a silo in its steady state has done.
/// </summary>
public sealed record ClusterCpu(IReadOnlyList<double> Silos, double Mosquitto, double Postgres, double TieredCompilation = 0)
{
    /// <summary>
    /// The tiered-compilation threads' CPU thread by thread (keyed by process and thread id), when read
    /// so: the runtime ends that thread when it has had nothing to compile for a while and starts a new
    /// one when it has, and a sum alone would take the new one's for a fall.
    /// </summary>
    public IReadOnlyDictionary<long, double>? TieredThreads { get; init; }

    /// <summary>The name the .NET runtime gives its tiered-compilation thread, as Linux shows it (15 characters).</summary>
    public const string TieredCompilationThread = ".NET Tiered Com";

    public double SilosTotal => Silos.Sum();

    public double Total => SilosTotal + Mosquitto + Postgres;

    /// <summary>
    /// What each part used from <paramref name="earlier"/> to this reading; of the tiered-compilation
    /// threads, those still running now (one that ended between the two readings is not counted).
    /// </summary>
    public ClusterCpu Minus(ClusterCpu earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        if (earlier.Silos.Count != Silos.Count)
        {
            throw new ArgumentException($"readings of {Silos.Count} and {earlier.Silos.Count} silos cannot be compared", nameof(earlier));
        }

        double tiered = TieredThreads is { } now && earlier.TieredThreads is { } then
            ? now.Sum(t => t.Value - then.GetValueOrDefault(t.Key))
            : TieredCompilation - earlier.TieredCompilation;
        return new ClusterCpu([.. Silos.Select((s, i) => s - earlier.Silos[i])], Mosquitto - earlier.Mosquitto, Postgres - earlier.Postgres, tiered);
    }
}
