using Orleans.Services;
using TwinCity.Grains.Interfaces.Cells;

namespace TwinCity.Grains.Cells.Relay;

/// <summary>
/// The cells' grain service, one on every cluster silo: it takes the changes other silos' twins made
/// to cells active on this silo, a batch at a time, and hands each cell its part.
/// </summary>
[Alias("twincity.ICellRelayService")]
public interface ICellRelayService : IGrainService
{
    /// <summary>
    /// Changes for cells active on this silo, each with its cell (<paramref name="cells"/>[i] is the
    /// cell of <paramref name="changes"/>[i]). Answered once the changes are handed to their cells, so
    /// that a batch that did not arrive (its silo died) can go to the cells wherever they are now.
    /// </summary>
    [Alias("Deliver")]
    [ResponseTimeout("00:00:10")]
    Task DeliverAsync(long[] cells, CellChange[] changes);
}
