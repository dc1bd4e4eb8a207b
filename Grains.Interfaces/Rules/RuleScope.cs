namespace TwinCity.Grains.Interfaces.Rules;

/// <param name="Metres">The radius (<see cref="RuleScopeType.Radius"/>) or the length of the stretch ahead (<see cref="RuleScopeType.RouteAhead"/>).</param>
/// <param name="WidthMetres">For a stretch of route: how far either side of it a twin may be.</param>
[GenerateSerializer, Immutable, Alias("twincity.rule-scope")]
public sealed record RuleScope(
    [property: Id(0)] RuleScopeType Type,
    [property: Id(1)] double Metres = 0,
    [property: Id(2)] double WidthMetres = 0);
