namespace TwinCity.Grains.Twins;

/// <summary>
/// A twin as <see cref="TwinDueTimes"/> sees it. The queue keeps its bookkeeping (where the twin
/// sits in the heap and when it is due) in the twin itself, so a queued twin costs the silo one
/// array slot rather than an object of its own. Only the queue reads or writes these, under its lock.
/// </summary>
public interface IDueTwin
{
    /// <summary>The twin's slot in the queue's heap; -1 when not queued.</summary>
    int DueSlot { get; set; }

    /// <summary>When the twin is due, in UTC ticks; meaningful only while queued.</summary>
    long DueTicks { get; set; }

    /// <summary>
    /// The due time has come: hand the work to the twin's own activation through <paramref name="grains"/>
    /// (this runs on the silo's timer thread, outside the twin's turn and outside the queue's lock).
    /// </summary>
    void OnDue(IGrainFactory grains);
}
