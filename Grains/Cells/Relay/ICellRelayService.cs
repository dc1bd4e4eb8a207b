using Orleans.Concurrency;
using Orleans.Services;
using TwinCity.Grains.Interfaces.Cells;

namespace TwinCity.Grains.Cells.Relay;

/// <summary>
/// The cells' grain service, one on every cluster silo: it takes the changes other silos' twins made
/// to cells active on this silo, a batch at a time, and hands each cell its part; and it helps rebuild
/// cells and the city's set of cells lost with another silo from what this silo's twins and cells know.
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

    /// <summary>
    /// <paramref name="cells"/> have just activated (somewhere) knowing nothing: the twins active on this
    /// silo that had told them of themselves tell them again.
    /// </summary>
    [OneWay, Alias("Republish")]
    Task RepublishAsync(long[] cells);

    /// <summary>The cells active on this silo that hold twins.</summary>
    [Alias("RegisteredCells")]
    [ResponseTimeout("00:00:05")]
    Task<long[]> RegisteredCellsAsync();
}
