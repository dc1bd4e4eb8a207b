namespace TwinCity.Silo.Simulation;

/// <summary>Maps the wall clock to the city clock, which starts at the same moment and runs <c>timeScale</c> times faster.</summary>
internal sealed class CityClock(DateTime startUtc, double timeScale)
{
    public SimulationTime At(DateTime realUtc) =>
        timeScale == 1.0 ? SimulationTime.At(realUtc) : new SimulationTime(realUtc, startUtc + ((realUtc - startUtc) * timeScale));
}
