using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Scenarios;

/// <summary>
/// A cluster's timed window: the CPU of every process that carries the load, each silo's message counts
/// from its <c>/metrics</c>, and, when the silos are capped, how often their cgroups ran out of quota;
/// each read when the window opens and when it closes.
/// </summary>
public sealed class ClusterWindow(ClusterLoad load, IReadOnlyList<CpuCgroup> cgroups) : IRunWindow
{
    private ClusterCpu? _cpuAtOpen;
    private IReadOnlyList<SiloMessaging>? _messagingAtOpen;
    private (long Periods, long Throttled, long ThrottledNanoseconds)[] _throttlingAtOpen = [];

    /// <summary>CPU used in the window, part by part.</summary>
    public ClusterCpu? Cpu { get; private set; }

    /// <summary>Each silo's messages in the window.</summary>
    public IReadOnlyList<SiloMessaging>? Messaging { get; private set; }

    /// <summary>Per capped silo: CFS periods in the window, those in which it ran out of quota, and the time held back.</summary>
    public IReadOnlyList<(long Periods, long Throttled, long ThrottledNanoseconds)> Throttling { get; private set; } = [];

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        // The scrapes first: the CPU reading is then as close as can be to the run's own, taken just after.
        _messagingAtOpen = await load.ReadMessagingAsync(cancellationToken);
        _throttlingAtOpen = [.. cgroups.Select(c => c.Throttling())];
        _cpuAtOpen = load.ReadCpu();
    }

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        InvalidOperationException notOpen = new("the window was not opened");
        Cpu = load.ReadCpu().Minus(_cpuAtOpen ?? throw notOpen);
        Throttling = [.. cgroups.Select((c, i) =>
        {
            (long periods, long throttled, long time) = c.Throttling();
            return (periods - _throttlingAtOpen[i].Periods, throttled - _throttlingAtOpen[i].Throttled, time - _throttlingAtOpen[i].ThrottledNanoseconds);
        })];
        IReadOnlyList<SiloMessaging> now = await load.ReadMessagingAsync(cancellationToken);
        IReadOnlyList<SiloMessaging> open = _messagingAtOpen ?? throw notOpen;
        Messaging = [.. now.Select((m, i) => m.Minus(open[i]))];
    }
}
