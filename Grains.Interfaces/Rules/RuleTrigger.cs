using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>What makes a rule fire: twins of one kind whose values meet any (or all) of the conditions.</summary>
/// <param name="Within">When set, only twins inside this area trigger the rule (a district's own rule).</param>
[GenerateSerializer, Immutable, Alias("twincity.rule-trigger")]
public sealed record RuleTrigger(
    [property: Id(0)] TwinKind Kind,
    [property: Id(1)] RuleCondition[] Conditions,
    [property: Id(2)] bool All = false,
    [property: Id(3)] GeoBox? Within = null);
