using System.ComponentModel.DataAnnotations;

namespace TwinCity.Silo.Simulation;

/// <summary>Configuration section "Simulator": the synthetic city played through the broker.</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    public const int DefaultDevicesPerSecond = 200;

    /// <summary>Uplinks per second over all devices; 0 turns the simulator off (<c>--simulate N</c>).</summary>
    [Range(0, 100_000, ErrorMessage = "Simulator:DevicesPerSecond must be between 0 and 100000")]
    public int DevicesPerSecond { get; set; } = DefaultDevicesPerSecond;

    /// <summary>The ChirpStack application the devices belong to (the topic's <c>{applicationId}</c>).</summary>
    [Required(ErrorMessage = "Simulator:ApplicationId is required")]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Simulator:ApplicationId must be 1-64 letters, digits, '.', '_' or '-'")]
    public string ApplicationId { get; set; } = "baku-city";

    /// <summary>Seed of the random generator, for a city that plays the same way each run; unset for a different one each time.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// How much faster than the wall clock the city's day runs (lights, rush hours, demand and
    /// consumption); 1 is real time. Buses always drive at real speed.
    /// </summary>
    [Range(0.001, 100_000, ErrorMessage = "Simulator:TimeScale must be between 0.001 and 100000")]
    public double TimeScale { get; set; } = 1.0;

    /// <summary>
    /// How much more often than in a real city things go wrong: traffic incidents, leaks, burst mains
    /// and lamp faults. 1 is the city's own rate (a few a day); a demonstration or a test of the
    /// rules that react to them raises it.
    /// </summary>
    [Range(0, 10_000, ErrorMessage = "Simulator:EventRate must be between 0 and 10000")]
    public double EventRate { get; set; } = 1.0;

    /// <summary>The longest the simulator waits for the city to be ready (seed devices provisioned) before it starts anyway.</summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest wait between attempts to reach the broker (the wait doubles from 250 ms up to this).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(15);
}
