namespace TwinCity.Web.Audit;

/// <summary>Configuration section "Audit".</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>How many entries the in-memory trail keeps (the newest); older ones are dropped.</summary>
    public int Capacity { get; set; } = 50_000;
}
