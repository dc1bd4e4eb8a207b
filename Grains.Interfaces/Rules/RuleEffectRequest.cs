using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>
/// A rule's command for the twins of one kind in an area, sent to each cell the area touches; the cell
/// passes it to its twins in scope.
/// </summary>
/// <param name="Routes">When set, only buses on one of these routes.</param>
/// <param name="HoldUntil">When the rule's hold on the values ends and they are put back (null: never).</param>
/// <param name="ChainDepth">How many rules fired in a row to send this: 1 when a twin's own change fired the rule, one more for each rule fired by another rule's effect.</param>
[GenerateSerializer, Immutable, Alias("twincity.rule-effect-request")]
public sealed record RuleEffectRequest(
    [property: Id(0)] string RuleId,
    [property: Id(1)] RuleArea Area,
    [property: Id(2)] TwinKind Kind,
    [property: Id(3)] string Command,
    [property: Id(4)] Reading[] Sets,
    [property: Id(5)] string? ArgsJson,
    [property: Id(6)] DateTime? HoldUntil,
    [property: Id(7)] string[]? Routes = null,
    [property: Id(8)] int ChainDepth = 1);
