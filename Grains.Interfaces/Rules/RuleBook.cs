namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>Everything a silo needs to evaluate rules: the rules and the bus routes, at a version.</summary>
[GenerateSerializer, Immutable, Alias("twincity.rule-book")]
public sealed record RuleBook(
    [property: Id(0)] long Version,
    [property: Id(1)] RuleDefinition[] Rules,
    [property: Id(2)] RouteLine[] Routes);
