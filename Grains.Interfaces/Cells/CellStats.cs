namespace TwinCity.Grains.Interfaces.Cells;

/// <summary>Counts of a cell's twins by kind and connectivity: [kind, status].</summary>
[GenerateSerializer, Immutable, Alias("twincity.cell-stats")]
public sealed record CellStats([property: Id(0)] int[] Counts)
{
    public const int Kinds = 4;
    public const int Statuses = 3;

    public static int Index(int kind, int status) => (kind * Statuses) + status;
}
