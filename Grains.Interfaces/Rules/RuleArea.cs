using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>
/// The ground a rule's effect covers: a whole cell, a circle, or a corridor along a polyline. Cells use
/// it to pick their twins in scope.
/// </summary>
[GenerateSerializer, Immutable, Alias("twincity.rule-area")]
public sealed record RuleArea(
    [property: Id(0)] RuleScopeType Type,
    [property: Id(1)] GeoPoint Centre,
    [property: Id(2)] double Metres,
    [property: Id(3)] GeoPoint[]? Path = null,
    [property: Id(4)] long Cell = 0)
{
    public bool Contains(GeoPoint p) => Type switch
    {
        RuleScopeType.Cell => CellGrid.CellOf(p) == Cell,
        RuleScopeType.Radius => Centre.DistanceTo(p) <= Metres,
        RuleScopeType.RouteAhead => Path is { Length: > 0 } && Polyline.DistanceFrom(Path, p) <= Metres,
        _ => false,
    };

    /// <summary>The grid cells the area touches.</summary>
    public List<long> CellsCovered() => Type switch
    {
        RuleScopeType.Cell => [Cell],
        RuleScopeType.Radius => CellGrid.CellsAround(Centre, Metres),
        _ => Polyline.CellsAlong(Path ?? [], Metres),
    };
}
