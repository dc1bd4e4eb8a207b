using System.ComponentModel.DataAnnotations;

namespace TwinCity.Silo.Hosting;

/// <summary>
/// How a cluster silo wakes the twins of the devices it takes on (section "Wake", cluster mode):
/// its share of the city when it starts, and a dead or departed silo's share when it inherits it.
/// </summary>
public sealed class TwinWakeOptions
{
    public const string Section = "Wake";

    /// <summary>Whether the silo wakes those twins (otherwise each wakes with its device's next uplink).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long the silo's share of the device ring must stay the same before it wakes the twins of
    /// what it gained. Silos of a cluster that restarts come up seconds apart, and the first alone owns
    /// the whole ring until the next joins: with 3 s, the first of three silos started 2.5 s apart woke
    /// twins the others then had to take from it, and the wake of 100,000 twins cost 0.80 ms of CPU a
    /// twin against 0.61 without it (bench/README.md). A twin whose device reports within this time
    /// wakes with that uplink anyway.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan Settle { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Twins woken at once. Each waits for batched reads of its snapshot and history, so more at once
    /// means fuller batches; fewer leave more of the silo to the uplinks coming in meanwhile.
    /// </summary>
    [Range(1, 10_000)]
    public int Concurrency { get; set; } = 128;
}
