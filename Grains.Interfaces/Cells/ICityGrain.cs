using Orleans.Concurrency;
namespace TwinCity.Grains.Interfaces.Cells;

/// <summary>The set of cells that hold twins (key 0), so that a city-wide query knows which cells to ask.</summary>
[Alias("twincity.ICityGrain")]
public interface ICityGrain : IGrainWithIntegerKey
{
    [OneWay, Alias("AddCell")]
    Task AddCellAsync(long cell);

    [Alias("GetCells")]
    ValueTask<long[]> GetCellsAsync();
}
