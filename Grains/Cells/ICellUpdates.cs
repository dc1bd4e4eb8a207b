using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Cells;

/// <summary>
/// How a twin's changes reach its cell grain: straight to it on one silo, through the silo's relay in
/// a cluster. Cells are a projection held only in memory and fed by the twins, so a cluster also keeps
/// what it takes to rebuild the part of it lost with a silo: which of this silo's active twins are in
/// which cell, and which cells active here hold twins.
/// </summary>
public interface ICellUpdates
{
    /// <summary>The twin of <paramref name="summary"/> changed (or arrived) in <paramref name="cell"/>.</summary>
    void Update(long cell, TwinSummary summary);

    /// <summary>The twin of <paramref name="summary"/> left <paramref name="cell"/>; the summary carries where it is now.</summary>
    void Leave(long cell, TwinSummary summary);

    /// <summary>
    /// <paramref name="twin"/>, active on this silo, now tells <paramref name="cell"/> of its changes (it
    /// woke, or moved there); <paramref name="from"/> is the cell it told before, if any.
    /// </summary>
    void TwinEntered(ICellMember twin, long cell, long? from);

    /// <summary><paramref name="twin"/> no longer tells <paramref name="cell"/> of itself from this silo (it is deactivating).</summary>
    void TwinDeparted(ICellMember twin, long cell);

    /// <summary>
    /// <paramref name="cell"/> activated on this silo, knowing nothing yet. If it was lost with another
    /// silo, the twins that had told it of themselves and still live elsewhere tell it again.
    /// </summary>
    void CellActivated(long cell);

    /// <summary><paramref name="cell"/>, active on this silo, holds twins and is in the city's set of cells.</summary>
    void CellRegistered(long cell);

    /// <summary><paramref name="cell"/> deactivated on this silo.</summary>
    void CellDeactivated(long cell);

    /// <summary>
    /// The cells active on any silo that hold twins, for a city grain that has just activated (its set
    /// may have been lost with a silo while the cells it listed live on). Answers within <paramref name="timeout"/>
    /// with what the silos that answered by then said.
    /// </summary>
    Task<long[]> RegisteredCellsAsync(TimeSpan timeout);
}
