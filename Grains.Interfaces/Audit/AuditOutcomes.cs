namespace TwinCity.Grains.Interfaces.Audit;

/// <summary>
/// The <see cref="AuditEntry.Outcome"/> names written by the API. A command's lifecycle adds its final
/// status in lower case (confirmed, failed, expired, superseded).
/// </summary>
public static class AuditOutcomes
{
    public const string Accepted = "accepted";

    /// <summary>The caller's key may not do this (403); nothing was looked up.</summary>
    public const string Forbidden = "forbidden";

    public const string NotFound = "not-found";

    public const string VersionMismatch = "version-mismatch";

    public const string NotHeld = "not-held";

    /// <summary>A command beyond the device's or the city's downlink budget (429).</summary>
    public const string Throttled = "throttled";

    /// <summary>An Idempotency-Key repeated with another command (422).</summary>
    public const string KeyReused = "key-reused";

    public const string Registered = "registered";

    public const string Deleted = "deleted";

    /// <summary>The outcomes that are refusals: nothing was done. Everything else records an action and how it went.</summary>
    public static bool IsRefusal(string outcome) =>
        outcome is Forbidden or NotFound or VersionMismatch or NotHeld or Throttled or KeyReused or "refused";
}
