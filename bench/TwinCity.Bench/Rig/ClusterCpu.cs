namespace TwinCity.Bench.Rig;

/// <summary>
/// CPU seconds (user + system) of the processes that carry a cluster run's load, part by part: each
/// silo, mosquitto, and the PostgreSQL server (postmaster and all its children).
/// </summary>
public sealed record ClusterCpu(IReadOnlyList<double> Silos, double Mosquitto, double Postgres)
{
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

        return new ClusterCpu([.. Silos.Select((s, i) => s - earlier.Silos[i])], Mosquitto - earlier.Mosquitto, Postgres - earlier.Postgres);
    }
}
