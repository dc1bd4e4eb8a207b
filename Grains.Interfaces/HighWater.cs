namespace TwinCity.Grains.Interfaces;

/// <summary>A high-water mark that many threads raise at once.</summary>
public static class HighWater
{
    /// <summary>Raises <paramref name="mark"/> to <paramref name="value"/> unless it is higher already.</summary>
    public static void Raise(ref long mark, long value)
    {
        long seen = Interlocked.Read(ref mark);
        while (value > seen)
        {
            long before = Interlocked.CompareExchange(ref mark, value, seen);
            if (before == seen)
            {
                return;
            }

            seen = before;
        }
    }
}
