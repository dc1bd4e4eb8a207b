namespace TwinCity.Grains.Twins;

/// <summary>How twins judge connectivity and when they write snapshots (configuration section "Twins").</summary>
public sealed class TwinOptions
{
    public const string Section = "Twins";

    /// <summary>A twin goes offline when its device misses its reporting interval by this factor.</summary>
    public double OfflineFactor { get; set; } = 2.5;

    /// <summary>A changed twin writes its snapshot after this long without further changes (and on deactivation).</summary>
    public TimeSpan SnapshotQuietPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where uplinks are kept in a durable history (cluster mode), a twin changed only by uplinks
    /// writes its snapshot once this many came (then by <see cref="SnapshotQuietPeriod"/>) or once the
    /// first of them is <see cref="SnapshotMaxAge"/> old, whichever is first: a twin that wakes from an
    /// older snapshot replays the uplinks after it from the history, so writing a snapshot for each
    /// quiet spell would only double what is written. Up to 254; 0 writes after every change as before.
    /// </summary>
    public int SnapshotAfterUplinks { get; set; } = 50;

    /// <summary>The longest a twin changed only by uplinks of the durable history waits to write its snapshot (see <see cref="SnapshotAfterUplinks"/>).</summary>
    public TimeSpan SnapshotMaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A silo watching a twin's document must refresh its watch within this time.</summary>
    public TimeSpan WatchLease { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Write a changed twin's snapshot when the silo shuts down (off where storage dies with the process).</summary>
    public bool SnapshotOnShutdown { get; set; } = true;

    /// <summary>
    /// Write snapshots while the twin is active (after changes settle, and at once after provisioning
    /// or a command). Off where the storage is in the same process as the twins (a lone silo's
    /// <c>LocalGrainStorage</c>): a copy written there survives nothing the twin does not, so a
    /// changed twin writes only when it leaves memory, and an active twin costs no second copy.
    /// </summary>
    public bool SnapshotWhileActive { get; set; } = true;

    /// <summary>
    /// How far beyond the device's last frame counter an uplink's may jump (LoRaWAN's MAX_FCNT_GAP);
    /// a further one is refused, so that one forged frame at 0xFFFFFFFF cannot make the device's
    /// real frames count as repeats. A join resets the counter and the check. 0 turns it off.
    /// </summary>
    public uint MaxFrameCounterGap { get; set; } = 16_384;

    /// <summary>
    /// How many downlinks one device may be sent within <see cref="DownlinkWindow"/>. A class A device
    /// hears a downlink only after an uplink, and the gateway's duty cycle (1 % in EU868) is shared by
    /// every device near it: commands beyond this answer 429 with Retry-After. A newer command of the
    /// same name replaces one still pending rather than adding a downlink.
    /// </summary>
    public int DownlinksPerDevice { get; set; } = 10;

    /// <summary>The window of <see cref="DownlinksPerDevice"/>.</summary>
    public TimeSpan DownlinkWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Downlinks the whole city (every silo together) may start per second (see <see cref="CityDownlinkBudget"/>).</summary>
    public int CityDownlinksPerSecond { get; set; } = 50;

    /// <summary>How many downlinks the city may start at once before <see cref="CityDownlinksPerSecond"/> paces them.</summary>
    public int CityDownlinkBurst { get; set; } = 500;

    /// <summary>How many finished commands a twin keeps for readers.</summary>
    public int CommandHistory { get; set; } = 20;
}
