namespace TwinCity.Bench.Rig;

/// <summary>The processes that carry a cluster run's load (the silos, mosquitto, PostgreSQL), read together.</summary>
public sealed class ClusterLoad(IReadOnlyList<BenchSilo> silos, BenchMosquitto mosquitto, int postmasterProcessId)
{
    public IReadOnlyList<BenchSilo> Silos { get; } = silos;

    /// <summary>
    /// Each part's CPU so far; PostgreSQL's is its postmaster's and every child's (<see cref="ProcessCpu.TreeSeconds(int)"/>),
    /// and apart, the silos' tiered-compilation threads'.
    /// </summary>
    public ClusterCpu ReadCpu()
    {
        var threads = new Dictionary<long, double>();
        foreach (BenchSilo silo in Silos)
        {
            foreach ((int thread, double seconds) in ProcessCpu.ThreadsSeconds(silo.ProcessId, ClusterCpu.TieredCompilationThread) ?? [])
            {
                threads[((long)silo.ProcessId << 32) | (uint)thread] = seconds;
            }
        }

        return ReadProcesses() with { TieredCompilation = threads.Values.Sum(), TieredThreads = threads };
    }

    /// <summary>All parts' CPU so far, for a run's own reading (each time its count moves, so without reading every silo thread).</summary>
    public double TotalCpuSeconds() => ReadProcesses().Total;

    private ClusterCpu ReadProcesses() =>
        new([.. Silos.Select(s => s.CpuSeconds())], mosquitto.CpuSeconds(), ProcessCpu.TreeSeconds(postmasterProcessId));

    /// <summary>Every silo's message counts so far, read at the same moment (one <c>/metrics</c> each, side by side).</summary>
    public async Task<IReadOnlyList<SiloMessaging>> ReadMessagingAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(Silos.Select(s => s.MessagingAsync(cancellationToken)));
}
