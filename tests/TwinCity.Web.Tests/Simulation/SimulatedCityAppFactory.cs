namespace TwinCity.Web.Tests.Simulation;

/// <summary>The embedded city with its seed devices and the simulator playing them fast.</summary>
public sealed class SimulatedCityAppFactory : CityAppFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Seed:Enabled"] = "true",
        ["Simulator:DevicesPerSecond"] = "2000",
        ["Simulator:Seed"] = "42",
    };
}
