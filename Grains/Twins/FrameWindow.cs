namespace TwinCity.Grains.Twins;

/// <summary>
/// The frame counters a twin has applied just below its highest one, as a 64-bit mask: bit k
/// stands for <c>highest - 1 - k</c>. The same idea as a network server's replay window.
/// </summary>
public static class FrameWindow
{
    public const int Size = 64;

    /// <summary>The mask after the highest counter moves from <paramref name="highest"/> up to <paramref name="next"/>.</summary>
    public static ulong Advance(ulong seenBelow, uint highest, uint next)
    {
        ulong distance = (ulong)next - highest;
        if (distance == 0 || distance > Size)
        {
            return distance == 0 ? seenBelow : 0;
        }

        // The old highest becomes bit (distance - 1); everything else moves up with it.
        ulong shifted = distance == Size ? 0 : seenBelow << (int)distance;
        return shifted | (1UL << (int)(distance - 1));
    }

    /// <summary>
    /// Marks <paramref name="late"/> (below <paramref name="highest"/>) as applied; false when it
    /// already was, equals the highest, or lies outside the window.
    /// </summary>
    public static bool TryMarkLate(ref ulong seenBelow, uint highest, uint late)
    {
        if (late >= highest)
        {
            return false;
        }

        uint k = highest - late - 1;
        if (k >= Size)
        {
            return false;
        }

        ulong bit = 1UL << (int)k;
        if ((seenBelow & bit) != 0)
        {
            return false;
        }

        seenBelow |= bit;
        return true;
    }
}
