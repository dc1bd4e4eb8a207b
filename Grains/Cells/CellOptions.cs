namespace TwinCity.Grains.Cells;

/// <summary>How cells batch changes for viewers and how long a silo's subscription lasts (section "Cells").</summary>
public sealed class CellOptions
{
    public const string Section = "Cells";

    /// <summary>
    /// After a batch goes to the watching silos, changes within this window wait for its end and go
    /// as the next batch; a change after a quieter spell goes at once.
    /// </summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>A silo's subscription lapses unless refreshed within this time (so a dead silo's observer is dropped).</summary>
    public TimeSpan ObserverLease { get; set; } = TimeSpan.FromSeconds(90);
}
