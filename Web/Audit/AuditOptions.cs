namespace TwinCity.Web.Audit;

/// <summary>Configuration section "Audit".</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>How many actions (accepted commands and their ends, registrations, rule changes) the in-memory trail keeps (the newest).</summary>
    public int Capacity { get; set; } = 50_000;

    /// <summary>
    /// How many refusals (403, 404, 412, 429, ...) the in-memory trail keeps, apart from the actions,
    /// so that a key that is refused again and again cannot push the actions out.
    /// </summary>
    public int RefusalCapacity { get; set; } = 10_000;
}
