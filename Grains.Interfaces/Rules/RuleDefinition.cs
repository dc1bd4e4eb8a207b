namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>
/// A cross-subsystem rule as the city operator defines it (<c>PUT /api/v1/rules/{id}</c>): when twins of
/// one kind meet the trigger, the effects reach the twins in scope, on behalf of the agencies that own
/// them, with requester <c>rule:{id}</c>.
/// </summary>
/// <param name="DurationSeconds">After this long the rule's commands are undone (0: they stand until someone changes them).</param>
/// <param name="CooldownSeconds">After firing from a twin, the rule does not fire again from that twin for this long.</param>
/// <param name="ActiveHours">When the rule may fire; null: at any time.</param>
/// <param name="EndWhenCleared">The effect also ends as soon as the trigger is no longer met (a repaired lamp).</param>
[GenerateSerializer, Immutable, Alias("twincity.rule")]
public sealed record RuleDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Description,
    [property: Id(2)] RuleTrigger Trigger,
    [property: Id(3)] RuleScope Scope,
    [property: Id(4)] RuleEffect[] Effects,
    [property: Id(5)] double DurationSeconds,
    [property: Id(6)] double CooldownSeconds,
    [property: Id(7)] ActiveHours? ActiveHours,
    [property: Id(8)] bool Enabled = true,
    [property: Id(9)] long Version = 0,
    [property: Id(10)] DateTime UpdatedAt = default,
    [property: Id(11)] bool EndWhenCleared = false)
{
    public const string RequesterPrefix = "rule:";

    /// <summary>Who the rule's commands are from: <c>rule:{id}</c>.</summary>
    public string Requester => RequesterPrefix + Id;
}
