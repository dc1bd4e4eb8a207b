using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Cells;

/// <summary>The order twins are listed and paged in: by kind, then by id (ordinal).</summary>
public sealed class TwinKeyOrder : IComparer<TwinKey>
{
    public static readonly TwinKeyOrder Instance = new();

    public int Compare(TwinKey x, TwinKey y) =>
        x.Kind != y.Kind ? x.Kind.CompareTo(y.Kind) : string.CompareOrdinal(x.Id, y.Id);
}
