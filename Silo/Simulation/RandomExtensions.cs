namespace TwinCity.Silo.Simulation;

/// <summary>The few distributions the device models draw from.</summary>
internal static class RandomExtensions
{
    public static double Between(this Random random, double min, double max) => min + (random.NextDouble() * (max - min));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public static bool Chance(this Random random, double p) => random.NextDouble() < p;

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Gaussian(this Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>An exponential waiting time with the given mean, as between independent arrivals.</summary>
    public static TimeSpan Exponential(this Random random, TimeSpan mean) => mean * -Math.Log(1.0 - random.NextDouble());
}
