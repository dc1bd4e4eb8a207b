using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Cells;

/// <summary>A twin's change for its cell: the twin's summary, and whether the twin left the cell (moved out of it).</summary>
[GenerateSerializer, Immutable, Alias("twincity.cell-change")]
public readonly record struct CellChange(
    [property: Id(0)] TwinSummary Summary,
    [property: Id(1)] bool Leaves);
