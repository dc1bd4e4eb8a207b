using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>A rule holds a property of this twin; what the property was before, to put it back when the effect ends.</summary>
[GenerateSerializer, Alias("twincity.rule-hold")]
public sealed record RuleHold(
    [property: Id(0)] string RuleId,
    [property: Id(1)] TwinProperty Property,
    [property: Id(2)] PropertyValue? Previous,
    [property: Id(3)] string? PreviousBy);
