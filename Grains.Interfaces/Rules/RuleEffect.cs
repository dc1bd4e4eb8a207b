using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>One thing a rule does when it fires.</summary>
/// <param name="Kind">For a command: the kind of the twins it goes to.</param>
/// <param name="Command">For a command: its name in the kind's catalogue ("dim", "mark", ...).</param>
/// <param name="ArgsJson">For a command: its arguments, as the commands API takes them.</param>
/// <param name="Sets">For a command: the desired values it sets (derived from the arguments).</param>
/// <param name="Text">For an advisory or an alert: the message.</param>
/// <param name="Agencies">For an alert: who is told.</param>
[GenerateSerializer, Immutable, Alias("twincity.rule-effect")]
public sealed record RuleEffect(
    [property: Id(0)] RuleEffectType Type,
    [property: Id(1)] TwinKind Kind = default,
    [property: Id(2)] string? Command = null,
    [property: Id(3)] string? ArgsJson = null,
    [property: Id(4)] Reading[]? Sets = null,
    [property: Id(5)] string? Text = null,
    [property: Id(6)] string[]? Agencies = null);
