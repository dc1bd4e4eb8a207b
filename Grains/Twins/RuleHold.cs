using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>A rule holds a property of this twin; what the property was before, to put it back when the effect ends.</summary>
/// <param name="Until">When the twin ends the hold by itself and puts the value back (null: when the rule releases it).</param>
/// <param name="Overridden">The owning agency set the property during the effect: its value stands, and the rule may not take it again before <paramref name="Until"/>.</param>
/// <param name="ChainDepth">The depth of the rule chain that set the value: putting it back is a further link of that chain, not a fresh start.</param>
[GenerateSerializer, Alias("twincity.rule-hold")]
public sealed record RuleHold(
    [property: Id(0)] string RuleId,
    [property: Id(1)] TwinProperty Property,
    [property: Id(2)] PropertyValue? Previous,
    [property: Id(3)] string? PreviousBy,
    [property: Id(4)] DateTime? Until = null,
    [property: Id(5)] bool Overridden = false,
    [property: Id(6)] int ChainDepth = 1);
