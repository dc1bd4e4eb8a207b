using System.ComponentModel.DataAnnotations;

namespace TwinCity.Silo.Audit;

/// <summary>
/// How long the cluster's audit trail keeps what (section "Audit", cluster mode). Actions and
/// refusals have bounds of their own, so that refusals, however many, never remove an action.
/// </summary>
public sealed class AuditRetentionOptions
{
    public const string Section = "Audit";

    /// <summary>How long actions (accepted commands and how they ended, registrations, rule changes) are kept.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(400);

    /// <summary>How long refusals (403, 404, 412, 422, 429) are kept.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan RefusalRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The most refusals kept; the oldest beyond this are deleted (actions are never counted against it).</summary>
    [Range(1, 1_000_000_000)]
    public int RefusalsKept { get; set; } = 1_000_000;

    /// <summary>How often one silo deletes what is past these bounds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The most refusals waiting to be written; beyond it new refusals are counted and dropped (actions always wait their turn).</summary>
    [Range(1, 10_000_000)]
    public int RefusalBuffer { get; set; } = 200_000;
}
