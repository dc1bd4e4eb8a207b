namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>
/// What the map needs of a twin: where it is, its state and its current values. Cells keep the
/// latest summary of each of their twins; viewers receive it as <c>twinChanged</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("twincity.twin-summary")]
public sealed record TwinSummary(
    [property: Id(0)] TwinKind Kind,
    [property: Id(1)] string Id,
    [property: Id(2)] long Version,
    [property: Id(3)] GeoPoint Position,
    [property: Id(4)] TwinStatus Status,
    [property: Id(5)] Reading[] Values,
    [property: Id(6)] DateTime At)
{
    public TwinKey Key => new(Kind, Id);
}
