using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Cells;

/// <summary>Area and city-wide queries answered by the cells: a few cell calls, never a scan of every twin.</summary>
public static class AreaQuery
{
    /// <summary>The twins inside <paramref name="box"/>, from the cells it touches.</summary>
    public static async Task<List<TwinSummary>> InAreaAsync(this IGrainFactory grains, GeoBox box, IReadOnlyList<long> cells)
    {
        TwinSummary[][] answers = await Task.WhenAll(cells.Select(c => grains.GetGrain<ICellGrain>(c).GetTwinsAsync().AsTask()));
        var result = new List<TwinSummary>();
        foreach (TwinSummary[] answer in answers)
        {
            foreach (TwinSummary twin in answer)
            {
                if (box.Contains(twin.Position))
                {
                    result.Add(twin);
                }
            }
        }

        return result;
    }

    /// <summary>Every twin of the city (all cells that hold twins).</summary>
    public static async Task<List<TwinSummary>> AllAsync(this IGrainFactory grains)
    {
        long[] cells = await grains.GetGrain<ICityGrain>(0).GetCellsAsync();
        return await grains.InAreaAsync(new GeoBox(-180, -90, 180, 90), cells);
    }

    /// <summary>Counts of twins by kind and status over the whole city.</summary>
    public static async Task<int[]> CityStatsAsync(this IGrainFactory grains)
    {
        long[] cells = await grains.GetGrain<ICityGrain>(0).GetCellsAsync();
        int[] totals = new int[CellStats.Kinds * CellStats.Statuses];
        foreach (CellStats stats in await Task.WhenAll(cells.Select(c => grains.GetGrain<ICellGrain>(c).GetStatsAsync().AsTask())))
        {
            for (int i = 0; i < totals.Length; i++)
            {
                totals[i] += stats.Counts[i];
            }
        }

        return totals;
    }
}
