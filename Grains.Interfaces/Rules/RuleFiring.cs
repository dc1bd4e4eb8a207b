using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>One firing of a rule: which twin fired it, which twins it reached and which agencies it alerted.</summary>
[GenerateSerializer, Immutable, Alias("twincity.rule-firing")]
public sealed record RuleFiring(
    [property: Id(0)] string Rule,
    [property: Id(1)] TwinKey Source,
    [property: Id(2)] TwinKey[] Targets,
    [property: Id(3)] string[] Alerted,
    [property: Id(4)] DateTime At,
    [property: Id(5)] string Message,
    [property: Id(6)] GeoPoint Position);
