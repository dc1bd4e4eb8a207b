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

    /// <summary>
    /// In a cluster, how long a twin's change for a cell on another silo may wait to go there in one
    /// batch with the others for that silo (see <c>CellRelay</c>). Longer means fewer messages between
    /// silos and a map that lags a little more.
    /// </summary>
    public TimeSpan RelayWindow { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A batch for one silo goes at once when it holds this many changes.</summary>
    public int RelayBatch { get; set; } = 2000;

    /// <summary>A silo's subscription lapses unless refreshed within this time (so a dead silo's observer is dropped).</summary>
    public TimeSpan ObserverLease { get; set; } = TimeSpan.FromSeconds(90);
}
