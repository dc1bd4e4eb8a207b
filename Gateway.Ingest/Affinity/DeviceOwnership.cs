using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TwinCity.Gateway.Ingest.Pipeline;

namespace TwinCity.Gateway.Ingest.Affinity;

/// <summary>
/// Which silo owns each device: the one whose range of Orleans' consistent ring holds the device's
/// key (a hash of the device part of its topic, which every silo computes alike from the topic
/// alone). A device's uplinks are applied on its owner, and its twin placed there, so an uplink costs
/// no call between silos however the broker spread the messages.
/// </summary>
/// <remarks>
/// The ring is asked once per slot of a table of <see cref="Slots"/> (the top bits of the key), not
/// once per message, and the table is built again when the membership changes and every few seconds
/// besides, since the ring follows the membership a moment later. Nothing here decides membership or
/// votes: the ring is Orleans', so every silo reaches the same table once it has the same membership.
/// A silo that reads an old table for a moment only sends some messages to a silo that no longer owns
/// them, which applies them anyway: each twin is still one activation.
/// </remarks>
public sealed partial class DeviceOwnership(
    IngestForwardClient ring,
    ILocalSiloDetails localSilo,
    IClusterMembershipService membership,
    ILogger<DeviceOwnership> logger) : BackgroundService
{
    /// <summary>How many parts the ring is cut into for the table.</summary>
    public const int Slots = 1 << SlotBits;

    private const int SlotBits = 12;
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    /// <summary>How often the ring is read for a while after a membership change, and for how long.</summary>
    private static readonly TimeSpan Settling = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan SettleFor = TimeSpan.FromSeconds(3);

    /// <summary>Per slot: the owning silo when it is another one; null when this silo owns it (or the ring is not known yet).</summary>
    private SiloAddress?[] _remote = new SiloAddress?[Slots];

    /// <summary>Silos someone waits to see leave (see <see cref="DepartureOf"/>), until they have.</summary>
    private readonly ConcurrentDictionary<SiloAddress, TaskCompletionSource> _departures = new();

    /// <summary>Silos this one has seen dead, so that each death breaks the calls in flight once.</summary>
    private readonly HashSet<SiloAddress> _seenDead = [];

    private CancellationTokenSource _deathSignal = new();

    private volatile bool _known;
    private long _changes;
    private long _deaths;

    public SiloAddress LocalSilo => localSilo.SiloAddress;

    /// <summary>The key of a device on the ring, from its topic.</summary>
    public static uint KeyOf(string topic) => Mix(IngestTopics.DeviceHash(topic));

    /// <summary>The silo that owns the device of <paramref name="topic"/> when it is not this one; null when this one does.</summary>
    public SiloAddress? RemoteOwnerOf(string topic) => Volatile.Read(ref _remote)[KeyOf(topic) >> (32 - SlotBits)];

    /// <summary>
    /// Completes once this silo's membership shows <paramref name="silo"/> dead: it stopped, or the
    /// cluster declared it so. A request to it that is still unanswered then never will be.
    /// </summary>
    public Task DepartureOf(SiloAddress silo)
    {
        TaskCompletionSource departure = _departures.GetOrAdd(silo, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        NoteDepartures();
        return departure.Task;
    }

    /// <summary>
    /// A token that fires when this silo next sees another one declared dead, and once more after the
    /// ring and the grain directory have settled on it (<see cref="SettleFor"/>).
    /// </summary>
    /// <remarks>
    /// A call to a twin that was on its way to the dead silo when it froze (a twin that was moving
    /// there, or a message queued on the connection) is answered only by Orleans' response timeout, half
    /// a minute later, and its device's lane would wait that long. The lanes stop waiting on such a
    /// call when this fires and try the message again: the twin is activated afresh on a survivor, and
    /// a call that did arrive after all is answered as a duplicate.
    /// </remarks>
    public CancellationToken DeathSignal => Volatile.Read(ref _deathSignal).Token;

    /// <summary>The slot of the table a device's key falls in.</summary>
    public static int SlotOf(uint key) => (int)(key >> (32 - SlotBits));

    /// <summary>The key of a device on the ring, from the device part of its topic (a ChirpStack DevEUI, a The Things Stack device id).</summary>
    public static uint KeyOfDevice(ReadOnlySpan<char> device) => Mix(IngestTopics.HashDevice(device));

    /// <summary>Whether the ring has been read with at least one silo on it (before that, every slot reads as this silo's).</summary>
    public bool Known => _known;

    /// <summary>Counts the changes of the table since the silo started; equal counts mean the same table.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>Counts the times this silo has seen another declared dead since it started.</summary>
    public long Deaths => Interlocked.Read(ref _deaths);

    /// <summary>Whether this silo owns <paramref name="slot"/> (and the ring is known).</summary>
    public bool IsLocal(int slot) => _known && Volatile.Read(ref _remote)[slot] is null;

    /// <summary>How many of the table's slots this silo owns.</summary>
    public int LocalSlots => Volatile.Read(ref _remote).Count(s => s is null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using IAsyncEnumerator<ClusterMembershipSnapshot> updates = membership.MembershipUpdates.GetAsyncEnumerator(stoppingToken);
        Task<bool> next = updates.MoveNextAsync().AsTask();
        long settlingUntil = 0;
        NoteDeaths(); // those dead before this silo started: nothing of theirs is in flight here
        while (!stoppingToken.IsCancellationRequested)
        {
            Rebuild();
            NoteDepartures();
            if (NoteDeaths())
            {
                Interlocked.Increment(ref _deaths);
                SignalDeath();
                _ = SignalDeathAgainAsync(stoppingToken);
            }

            try
            {
                // The ring follows a membership change a moment later: read it often until it has, so
                // that messages for a silo just declared dead are not sent round again and again.
                TimeSpan wait = Environment.TickCount64 < settlingUntil ? Settling : Refresh;
                Task woke = await Task.WhenAny(next, Task.Delay(wait, stoppingToken));
                if (woke == next)
                {
                    if (!await next)
                    {
                        break;
                    }

                    settlingUntil = Environment.TickCount64 + (long)SettleFor.TotalMilliseconds;
                    next = updates.MoveNextAsync().AsTask();
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        _ = next.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
    }

    /// <summary>
    /// Reads the ring again for every slot. A slot whose owner is leaving gracefully stays with it
    /// until the membership shows it dead.
    /// </summary>
    /// <remarks>
    /// Orleans takes a silo off the ring as soon as it begins to shut down, while its twins are still
    /// active on it, writing their last snapshots as they deactivate. Orleans' grain directory may
    /// meanwhile answer a lookup of such a twin with nothing (its entries are being handed over), so a
    /// new owner that called the twin at once could wake a second activation of it from an older
    /// snapshot, beside the one still applying the leaving silo's last uplinks. Kept with the leaving
    /// silo, its devices' messages are given back by it and routed again every moment until it has
    /// left, with every twin of its gone; a silo that is killed or hangs is never "leaving" (it goes
    /// from active to dead), so a failure is taken over at once as before.
    /// </remarks>
    public void Rebuild()
    {
        SiloAddress local = localSilo.SiloAddress;
        SiloAddress?[] previous = Volatile.Read(ref _remote);
        ClusterMembershipSnapshot members = membership.CurrentSnapshot;
        var table = new SiloAddress?[Slots];
        int remote = 0;
        bool known = false;
        for (int slot = 0; slot < Slots; slot++)
        {
            // The middle of the slot stands for it: every silo asks the ring the same point.
            uint point = ((uint)slot << (32 - SlotBits)) | (1u << (31 - SlotBits));
            SiloAddress? owner = ring.OwnerOf(point);
            if (previous[slot] is { } before && !before.Equals(owner) && IsLeaving(members, before))
            {
                owner = before;
            }

            known |= owner is not null;
            if (owner is not null && !owner.Equals(local))
            {
                table[slot] = owner;
                remote++;
            }
        }

        SiloAddress?[] old = Interlocked.Exchange(ref _remote, table);
        if (known && (!_known || !Enumerable.SequenceEqual(old, table)))
        {
            Interlocked.Increment(ref _changes);
        }

        _known |= known;
        int oldLocal = old.Count(s => s is null);
        if (oldLocal != Slots - remote)
        {
            LogOwnership(Slots - remote, Slots);
        }
    }

    /// <summary>Whether <paramref name="silo"/> is shutting down gracefully and not yet gone.</summary>
    private static bool IsLeaving(ClusterMembershipSnapshot members, SiloAddress silo) =>
        members.GetSiloStatus(silo) is SiloStatus.ShuttingDown or SiloStatus.Stopping;

    /// <summary>Whether the membership shows a silo dead that it did not before.</summary>
    private bool NoteDeaths()
    {
        bool news = false;
        foreach ((SiloAddress silo, ClusterMember member) in membership.CurrentSnapshot.Members)
        {
            if (member.Status == SiloStatus.Dead && !silo.Equals(localSilo.SiloAddress) && _seenDead.Add(silo))
            {
                news = true;
            }
        }

        return news;
    }

    private void SignalDeath()
    {
        // Not disposed: a lane may still be reading its token, and it holds no timer.
        Interlocked.Exchange(ref _deathSignal, new CancellationTokenSource()).Cancel();
    }

    private async Task SignalDeathAgainAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(SettleFor, stoppingToken);
            SignalDeath();
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void NoteDepartures()
    {
        if (_departures.IsEmpty)
        {
            return;
        }

        ClusterMembershipSnapshot snapshot = membership.CurrentSnapshot;
        foreach ((SiloAddress silo, TaskCompletionSource departure) in _departures)
        {
            if (snapshot.GetSiloStatus(silo) == SiloStatus.Dead && _departures.TryRemove(silo, out _))
            {
                departure.TrySetResult();
            }
        }
    }

    /// <summary>Spreads a hash over the whole ring (the finaliser of MurmurHash3).</summary>
    private static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return h;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest owns {Local} of {Slots} parts of the device ring on this silo")]
    private partial void LogOwnership(int local, int slots);
}
