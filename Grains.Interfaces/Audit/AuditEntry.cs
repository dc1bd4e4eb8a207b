namespace TwinCity.Grains.Interfaces.Audit;

/// <summary>One audited action: who did what to which target, when, and how it ended.</summary>
/// <param name="Actor">The agency or the rule ("rule:{id}") that acted.</param>
/// <param name="Action">What was done: "command.dim", "device.register", "device.delete", "rule.put", "rule.delete", ...</param>
/// <param name="Kind">The twin kind concerned (URL name), when there is one.</param>
/// <param name="Target">The twin id, DevEUI or rule id.</param>
/// <param name="Outcome">"accepted", "refused", "confirmed", "failed", "expired", ...</param>
/// <param name="KeyId">Which credential acted: the key's id (a prefix of its hash) or a token's subject; null for the platform itself.</param>
[GenerateSerializer, Immutable, Alias("twincity.audit-entry")]
public sealed record AuditEntry(
    [property: Id(0)] DateTime At,
    [property: Id(1)] string Actor,
    [property: Id(2)] string Action,
    [property: Id(3)] string? Kind,
    [property: Id(4)] string? Target,
    [property: Id(5)] string Outcome,
    [property: Id(6)] string? Details = null,
    [property: Id(7)] string? KeyId = null)
{
    /// <summary>Whether this records a refusal (kept apart from accepted actions, so that refusals cannot push those out).</summary>
    public bool IsRefusal => AuditOutcomes.IsRefusal(Outcome);
}
