using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>
/// One condition on a reported value, e.g. <c>flowM3h &gt; 30 for 600 s</c>.
/// </summary>
/// <param name="ForSeconds">The condition must hold this long without a break before it counts (0: at once).</param>
/// <param name="Hysteresis">
/// For a number compared with &lt; or &gt;: once met, the condition stays met until the value is back past the
/// threshold by this much, so a value hovering at the threshold does not fire the rule again and again.
/// </param>
[GenerateSerializer, Immutable, Alias("twincity.rule-condition")]
public sealed record RuleCondition(
    [property: Id(0)] TwinProperty Property,
    [property: Id(1)] RuleOp Op,
    [property: Id(2)] PropertyValue? Value,
    [property: Id(3)] double ForSeconds = 0,
    [property: Id(4)] double Hysteresis = 0);
