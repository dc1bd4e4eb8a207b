using System.Globalization;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Load;
using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Scenarios;

/// <summary>The failover scenario's command line, checked before anything starts.</summary>
/// <param name="Phases">The faults to run, each on a cluster of its own, in the order given.</param>
/// <param name="Rate">Uplinks offered per second.</param>
/// <param name="Devices">Devices the uplinks go to, round-robin.</param>
/// <param name="Duration">How long the paced load runs, in seconds.</param>
/// <param name="FaultAt">When the fault comes, in seconds from the first publish.</param>
/// <param name="Mix">The kinds of the devices.</param>
public sealed record FailoverOptions(IReadOnlyList<SiloFault> Phases, double Rate, int Devices, double Duration, double FaultAt, DeviceMix Mix)
{
    /// <summary>Uplinks the paced run publishes: the rate for the duration.</summary>
    public long Uplinks => Math.Max(1, (long)Math.Round(Rate * Duration));

    public static FailoverOptions Parse(BenchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string phasesText = args.Text("phases", "kill,stop");
        var phases = new List<SiloFault>();
        foreach (string part in phasesText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            SiloFault fault = part.ToLowerInvariant() switch
            {
                "kill" => SiloFault.Kill,
                "stop" => SiloFault.Stop,
                _ => throw new BenchUsageException($"--phases is a list of kill and stop (kill,stop), not '{phasesText}'"),
            };
            if (phases.Contains(fault))
            {
                throw new BenchUsageException($"--phases names {part} twice: '{phasesText}'");
            }

            phases.Add(fault);
        }

        if (phases.Count == 0)
        {
            throw new BenchUsageException("--phases needs kill, stop or both");
        }

        double rate = args.Number("rate", 2000);
        int devices = ScenarioOptions.Positive(args, "devices", 10_000);
        double duration = args.Number("duration", 90);
        double faultAt = args.Number("fault-at", 30);
        DeviceMix mix = ScenarioOptions.Mix(args, DeviceMix.City);
        if (rate <= 0)
        {
            throw new BenchUsageException("--rate must be above 0");
        }

        // The publisher keeps fewer publishes in flight than half the devices, so that no device's frames overtake each other.
        if (devices < 2)
        {
            throw new BenchUsageException("--devices must be at least 2");
        }

        if (faultAt <= 0 || faultAt >= duration)
        {
            throw new BenchUsageException(string.Create(CultureInfo.InvariantCulture, $"--fault-at ({faultAt:0.###} s) must come after the load starts and before it ends (--duration {duration:0.###} s)"));
        }

        return new FailoverOptions(phases, rate, devices, duration, faultAt, mix);
    }
}
