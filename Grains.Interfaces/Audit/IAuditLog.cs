namespace TwinCity.Grains.Interfaces.Audit;

/// <summary>
/// The audit trail. Every silo has one (in memory in the embedded city, PostgreSQL in a cluster);
/// grains and the API write to it, the API reads it.
/// </summary>
public interface IAuditLog
{
    void Write(AuditEntry entry);

    /// <summary>
    /// Entries newest first, filtered; <paramref name="actor"/> and <paramref name="kind"/> are exact
    /// matches; <paramref name="refused"/> picks refusals (true), actions (false) or both (null).
    /// </summary>
    Task<IReadOnlyList<AuditEntry>> QueryAsync(string? actor, string? kind, DateTime? from, DateTime? to, int limit, CancellationToken cancellationToken, bool? refused = null);
}
