using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Cells;

/// <summary>A rule's firing as viewers see it (<c>ruleFired</c>).</summary>
[GenerateSerializer, Immutable, Alias("twincity.rule-fired")]
public sealed record RuleFiredNotice(
    [property: Id(0)] string Rule,
    [property: Id(1)] TwinKey Source,
    [property: Id(2)] TwinKey[] Targets,
    [property: Id(3)] DateTime At,
    [property: Id(4)] string Message,
    [property: Id(5)] GeoPoint Position);
