using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>A bus route's path through the city (the route id is what buses report as <c>route</c>).</summary>
[GenerateSerializer, Immutable, Alias("twincity.route-line")]
public sealed record RouteLine(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Name,
    [property: Id(2)] GeoPoint[] Points);
