using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Cells;

/// <summary>How a twin's changes reach its cell grain: straight to it on one silo, through the silo's relay in a cluster.</summary>
public interface ICellUpdates
{
    /// <summary>The twin of <paramref name="summary"/> changed (or arrived) in <paramref name="cell"/>.</summary>
    void Update(long cell, TwinSummary summary);

    /// <summary>The twin of <paramref name="summary"/> left <paramref name="cell"/>; the summary carries where it is now.</summary>
    void Leave(long cell, TwinSummary summary);
}
