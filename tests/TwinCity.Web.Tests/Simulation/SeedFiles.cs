using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Silo.Simulation;

namespace TwinCity.Web.Tests.Simulation;

/// <summary>The seed city as the Silo project copies it next to the tests.</summary>
internal static class SeedFiles
{
    public static string Devices => Path.Combine(AppContext.BaseDirectory, "Seed", "baku-devices.ndjson");

    public static string City => Path.Combine(AppContext.BaseDirectory, "Seed", "baku-city.json");

    public static IReadOnlyList<SeedDevice> AllDevices { get; } = SeedDevice.ReadAll(Devices);

    public static CityMap Map { get; } = CityMap.Load(City);

    public static SeedDevice First(TwinKind kind, string? codec = null) =>
        AllDevices.First(d => d.Kind == kind && (codec is null || d.Codec == codec));

    /// <summary>A moment at the given Baku local time (UTC+4).</summary>
    public static SimulationTime LocalTime(int year, int month, int day, int hour, int minute = 0) =>
        SimulationTime.At(new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Utc) - SimulationTime.BakuUtcOffset);
}
