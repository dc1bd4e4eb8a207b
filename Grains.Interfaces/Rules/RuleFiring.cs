using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>One firing of a rule: which twin fired it, which twins it reached and which agencies it alerted.</summary>
/// <param name="Depth">Its place in a chain of rules firing each other: 1 when a twin's own change fired it.</param>
/// <param name="Stopped">Why the firing was not carried out (a chain too deep), or null when it was.</param>
[GenerateSerializer, Immutable, Alias("twincity.rule-firing")]
public sealed record RuleFiring(
    [property: Id(0)] string Rule,
    [property: Id(1)] TwinKey Source,
    [property: Id(2)] TwinKey[] Targets,
    [property: Id(3)] string[] Alerted,
    [property: Id(4)] DateTime At,
    [property: Id(5)] string Message,
    [property: Id(6)] GeoPoint Position,
    [property: Id(7)] int Depth = 1,
    [property: Id(8)] string? Stopped = null);
