namespace TwinCity.Grains.Cells;

/// <summary>How cells batch changes for viewers and how long a silo's subscription lasts (section "Cells").</summary>
public sealed class CellOptions
{
    public const string Section = "Cells";

    /// <summary>Changes arriving within this window go to the watching silos as one batch.</summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>A silo's subscription lapses unless refreshed within this time (so a dead silo's observer is dropped).</summary>
    public TimeSpan ObserverLease { get; set; } = TimeSpan.FromSeconds(90);
}
