namespace TwinCity.Web.Tests.Simulation;

/// <summary>The embedded city with its seed devices and the simulator playing them fast, with trouble far more often than in life.</summary>
public sealed class SimulatedCityAppFactory : CityAppFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Seed:Enabled"] = "true",
        ["Simulator:DevicesPerSecond"] = "2000",
        ["Simulator:Seed"] = "42",

        // A hundred times the city's own rate of incidents, leaks, bursts and lamp faults, so that
        // the default rules have something to react to within seconds.
        ["Simulator:EventRate"] = "100",

        // A simulated day a minute: lamps are on (and a dead one shows) within a minute whatever the hour.
        ["Simulator:TimeScale"] = "1440",
    };
}
