using System.ComponentModel.DataAnnotations;

namespace TwinCity.Silo.Audit;

/// <summary>How long the cluster keeps dead letters in PostgreSQL (section "DeadLetters", cluster mode).</summary>
public sealed class DeadLetterRetentionOptions
{
    public const string Section = "DeadLetters";

    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The most dead letters kept; the oldest beyond this are deleted.</summary>
    [Range(1, 1_000_000_000)]
    public int Kept { get; set; } = 1_000_000;

    /// <summary>The most dead letters waiting to be written; a flood beyond it is counted (in memory, per reason) but not written.</summary>
    [Range(1, 10_000_000)]
    public int Buffer { get; set; } = 50_000;
}
