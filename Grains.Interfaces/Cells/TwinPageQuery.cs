using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Cells;

/// <summary>
/// One page of a cell's twins in key order (<see cref="TwinKeyOrder"/>): at most <paramref name="Limit"/>
/// twins after <paramref name="After"/> that match the filters. The cell picks them without sorting all
/// it holds, and the caller merges the cells' pages.
/// </summary>
[GenerateSerializer, Immutable, Alias("twincity.twin-page-query")]
public sealed record TwinPageQuery(
    [property: Id(0)] TwinKind? Kind,
    [property: Id(1)] TwinStatus? Status,
    [property: Id(2)] GeoBox? Box,
    [property: Id(3)] TwinKey? After,
    [property: Id(4)] int Limit)
{
    public bool Matches(TwinKey key, TwinStatus status, GeoPoint position) =>
        (Kind is null || key.Kind == Kind)
        && (Status is null || status == Status)
        && (After is null || TwinKeyOrder.Instance.Compare(key, After.Value) > 0)
        && (Box is null || Box.Value.Contains(position));
}
