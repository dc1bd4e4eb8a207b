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

    /// <summary>
    /// One page of twins in key order, over <paramref name="cells"/> (null: every cell of the city): each
    /// cell gives its first <paramref name="limit"/> after the cursor and the pages are merged, so a page
    /// costs a pass over each cell and a merge of at most cells × limit, never a sort of the whole city.
    /// </summary>
    public static async Task<List<TwinSummary>> PageAsync(this IGrainFactory grains, TwinPageQuery query, IReadOnlyList<long>? cells = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        cells ??= await grains.GetGrain<ICityGrain>(0).GetCellsAsync();
        TwinSummary[][] pages = await Task.WhenAll(cells.Select(c => grains.GetGrain<ICellGrain>(c).GetPageAsync(query).AsTask()));
        var heads = new PriorityQueue<(int Page, int Index), TwinKey>(TwinKeyOrder.Instance);
        for (int p = 0; p < pages.Length; p++)
        {
            if (pages[p].Length > 0)
            {
                heads.Enqueue((p, 0), pages[p][0].Key);
            }
        }

        var merged = new List<TwinSummary>(Math.Min(query.Limit, 1024));
        TwinKey? last = null;
        while (merged.Count < query.Limit && heads.TryDequeue(out (int Page, int Index) head, out TwinKey key))
        {
            // A twin moving between cells may be in two of them for a moment: list it once.
            if (last is null || TwinKeyOrder.Instance.Compare(key, last.Value) != 0)
            {
                merged.Add(pages[head.Page][head.Index]);
                last = key;
            }

            if (head.Index + 1 < pages[head.Page].Length)
            {
                heads.Enqueue((head.Page, head.Index + 1), pages[head.Page][head.Index + 1].Key);
            }
        }

        return merged;
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
