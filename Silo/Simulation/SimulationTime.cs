namespace TwinCity.Silo.Simulation;

/// <summary>
/// A moment as the simulation sees it: the wall clock (radio timestamps, bus movement) and the city
/// clock (time of day, consumption), which runs faster when <c>Simulator:TimeScale</c> is above 1.
/// </summary>
internal readonly record struct SimulationTime(DateTime RealUtc, DateTime CityUtc)
{
    /// <summary>Azerbaijan keeps UTC+4 all year (no daylight saving since 2016).</summary>
    public static readonly TimeSpan BakuUtcOffset = TimeSpan.FromHours(4);

    public static SimulationTime At(DateTime utc) => new(utc, utc);

    public DateTime CityLocal => CityUtc + BakuUtcOffset;

    /// <summary>Hours since local midnight on the city clock, 0 to 24.</summary>
    public double LocalHour => CityLocal.TimeOfDay.TotalHours;
}
