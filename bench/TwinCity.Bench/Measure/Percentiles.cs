namespace TwinCity.Bench.Measure;

/// <summary>Nearest-rank percentiles of a set of samples.</summary>
public sealed class Percentiles
{
    private readonly double[] _sorted;

    public Percentiles(IEnumerable<double> samples)
    {
        _sorted = [.. samples.Where(double.IsFinite)];
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    public double Min => _sorted.Length == 0 ? double.NaN : _sorted[0];

    /// <summary>The value at or below which <paramref name="percent"/> % of the samples lie.</summary>
    public double At(double percent)
    {
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        // The epsilon keeps 99.9 % of 1,000 at rank 999 despite binary rounding.
        int rank = (int)Math.Ceiling((percent * _sorted.Length / 100.0) - 1e-9);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }
}
