using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Cells.Relay;

/// <summary>
/// A cluster silo's way to its twins' cells. A cell holds twins that live on every silo (each device
/// lives on the silo that owns it), so in a cluster most twins' cells are active elsewhere, and one
/// one-way call per change would cost a message between silos for most uplinks. Here the changes
/// for cells on another silo wait up to <see cref="CellOptions.RelayWindow"/> and go as one batch per
/// silo to its <see cref="CellRelayService"/>, which hands each cell its part locally.
/// </summary>
/// <remarks>
/// Which silo a cell is active on is asked of the cell once (<see cref="ICellGrain.HostAsync"/>) and
/// remembered until that silo leaves the cluster; until it is known, and for cells on this silo, a change
/// goes straight to the cell as before. A batch its silo did not take (the silo died) goes to the
/// cells one change at a time, wherever Orleans activates them now. Changes reaching a cell out of
/// order are harmless, since the cell keeps the highest version.
/// <para>
/// A cell lost with its silo activates again elsewhere knowing nothing, and the twins that live on
/// in the other silos would tell it of themselves only at their next change, which for a meter may be
/// hours away. So each silo remembers which of its active twins tell which cell, and a cell that
/// activates asks every silo (in a batch per <see cref="CellOptions.RelayWindow"/>) to have them tell
/// it again. Likewise each silo remembers which cells active on it hold twins, for a city grain that
/// activates again with its set of cells lost.
/// </para>
/// </remarks>
public sealed partial class CellRelay : BackgroundService, ICellUpdates
{
    public const string MeterName = "TwinCity.Cells";

    private readonly ConcurrentDictionary<long, SiloAddress> _hosts = new();
    private readonly ConcurrentDictionary<long, bool> _resolving = new();
    private readonly ConcurrentDictionary<SiloAddress, Outbox> _outboxes = new();
    private readonly Lock _localLock = new();
    private readonly Dictionary<long, List<ICellMember>> _localTwins = [];
    private readonly HashSet<long> _registeredCells = [];
    private readonly ConcurrentQueue<long> _activatedCells = new();
    private readonly IGrainFactory _grains;
    private readonly CellRelayClient _relays;
    private readonly SiloAddress _localSilo;
    private readonly IClusterMembershipService _membership;
    private readonly ILogger<CellRelay> _logger;
    private readonly TimeSpan _window;
    private readonly int _batch;
    private readonly Meter _meter;
    private long _direct;
    private long _batched;
    private long _batches;

    /// <summary>Bumped when a silo leaves, so that an answer asked for before that is not remembered after.</summary>
    private int _epoch;

    public CellRelay(
        IGrainFactory grains,
        CellRelayClient relays,
        ILocalSiloDetails localSilo,
        IClusterMembershipService membership,
        IOptions<CellOptions> options,
        IMeterFactory meters,
        ILogger<CellRelay> logger)
    {
        ArgumentNullException.ThrowIfNull(localSilo);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        _grains = grains;
        _relays = relays;
        _localSilo = localSilo.SiloAddress;
        _membership = membership;
        _logger = logger;
        _window = options.Value.RelayWindow;
        _batch = options.Value.RelayBatch;
        _meter = meters.Create(MeterName);
        _meter.CreateObservableCounter("twincity.cells.changes", () => new[]
        {
            new Measurement<long>(Direct, new KeyValuePair<string, object?>("way", "direct")),
            new Measurement<long>(Batched, new KeyValuePair<string, object?>("way", "batched")),
        }, "{change}", "Twin changes sent to their cells from this silo: way=batched when relayed to another silo in a batch, direct when sent one by one");
        _meter.CreateObservableCounter("twincity.cells.relay_batches", () => Batches, "{batch}", "Batches of cell changes sent from this silo to other silos");
    }

    /// <summary>How many cells' silos are known.</summary>
    public int KnownCells => _hosts.Count;

    /// <summary>Changes sent to their cell one by one: cells on this silo, and cells whose silo is not known yet.</summary>
    public long Direct => Interlocked.Read(ref _direct);

    /// <summary>Changes sent to another silo in a batch.</summary>
    public long Batched => Interlocked.Read(ref _batched);

    /// <summary>Batches sent to other silos.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    /// <summary>How many of this silo's active twins are known to tell a cell of themselves.</summary>
    public int LocalTwins
    {
        get
        {
            lock (_localLock)
            {
                return _localTwins.Values.Sum(t => t.Count);
            }
        }
    }

    public void Update(long cell, TwinSummary summary) => Send(cell, new CellChange(summary, Leaves: false));

    public void TwinEntered(ICellMember twin, long cell, long? from)
    {
        ArgumentNullException.ThrowIfNull(twin);
        lock (_localLock)
        {
            if (from is { } left)
            {
                RemoveLocal(twin, left);
            }

            if (!_localTwins.TryGetValue(cell, out List<ICellMember>? twins))
            {
                _localTwins[cell] = twins = [];
            }

            twins.Add(twin);
        }
    }

    public void TwinDeparted(ICellMember twin, long cell)
    {
        ArgumentNullException.ThrowIfNull(twin);
        lock (_localLock)
        {
            RemoveLocal(twin, cell);
        }
    }

    /// <summary>This silo's active twins that tell <paramref name="cell"/> of themselves.</summary>
    public ICellMember[] TwinsIn(long cell)
    {
        lock (_localLock)
        {
            return _localTwins.TryGetValue(cell, out List<ICellMember>? twins) ? [.. twins] : [];
        }
    }

    public void CellActivated(long cell) => _activatedCells.Enqueue(cell);

    public void CellRegistered(long cell)
    {
        lock (_localLock)
        {
            _registeredCells.Add(cell);
        }
    }

    public void CellDeactivated(long cell)
    {
        lock (_localLock)
        {
            _registeredCells.Remove(cell);
        }
    }

    /// <summary>The cells active on this silo that hold twins.</summary>
    public long[] RegisteredCells()
    {
        lock (_localLock)
        {
            return [.. _registeredCells];
        }
    }

    public async Task<long[]> RegisteredCellsAsync(TimeSpan timeout)
    {
        var cells = new HashSet<long>();
        Task<long[]>[] asks = [.. ActiveSilos().Select(silo => _relays.On(silo).RegisteredCellsAsync())];
        try
        {
            await Task.WhenAll(asks).WaitAsync(timeout);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A silo that does not answer (going, or gone and not yet declared dead) holds no cells
            // anyone can reach; its cells register again where they activate next.
            LogAskFailed(ex.Message);
        }

        foreach (Task<long[]> ask in asks)
        {
            if (ask.IsCompletedSuccessfully)
            {
                cells.UnionWith(ask.Result);
            }
        }

        return [.. cells];
    }

    /// <summary>
    /// Takes <paramref name="twin"/> out of <paramref name="cell"/>'s list: a search of one cell's share of
    /// this silo's twins (hundreds), paid when a twin deactivates or moves, so that the list costs a twin
    /// one reference and nothing more.
    /// </summary>
    private void RemoveLocal(ICellMember twin, long cell)
    {
        if (!_localTwins.TryGetValue(cell, out List<ICellMember>? twins))
        {
            return;
        }

        for (int i = twins.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(twins[i], twin))
            {
                twins[i] = twins[^1];
                twins.RemoveAt(twins.Count - 1);
                break;
            }
        }

        if (twins.Count == 0)
        {
            _localTwins.Remove(cell);
        }
    }

    private IEnumerable<SiloAddress> ActiveSilos() =>
        _membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress);

    /// <summary>Asks every active silo to have its twins tell the cells that activated since the last window of themselves again.</summary>
    private void RepublishActivatedCells()
    {
        if (_activatedCells.IsEmpty)
        {
            return;
        }

        var cells = new HashSet<long>();
        while (_activatedCells.TryDequeue(out long cell))
        {
            cells.Add(cell);
        }

        long[] batch = [.. cells];
        foreach (SiloAddress silo in ActiveSilos())
        {
            // One-way: a silo that is gone has no twins to tell the cells anything.
            _relays.On(silo).RepublishAsync(batch).Ignore();
        }
    }

    public void Leave(long cell, TwinSummary summary) => Send(cell, new CellChange(summary, Leaves: true));

    private void Send(long cell, CellChange change)
    {
        if (_hosts.TryGetValue(cell, out SiloAddress? host))
        {
            if (!host.Equals(_localSilo))
            {
                Outbox? full = _outboxes.GetOrAdd(host, static h => new Outbox(h)).Add(cell, change, _batch);
                if (full is not null)
                {
                    // Off the calling twin's turn: the batch's answer is the relay's, not the twin's.
                    _ = Task.Run(() => Flush(full));
                }

                return;
            }
        }
        else
        {
            Resolve(cell);
        }

        SendDirect(cell, change);
    }

    private void SendDirect(long cell, CellChange change)
    {
        Interlocked.Increment(ref _direct);
        ICellGrain grain = _grains.Grain<ICellGrain>(cell);
        (change.Leaves ? grain.LeaveAsync(change.Summary) : grain.UpdateAsync(change.Summary)).Ignore();
    }

    private void SendEachDirect(long[] cells, CellChange[] changes)
    {
        for (int i = 0; i < cells.Length; i++)
        {
            SendDirect(cells[i], changes[i]);
        }
    }

    private void Resolve(long cell)
    {
        if (_resolving.TryAdd(cell, true))
        {
            // Off the calling twin's turn: the answer is the relay's, not the twin's.
            _ = Task.Run(() => ResolveAsync(cell, Volatile.Read(ref _epoch)));
        }
    }

    private async Task ResolveAsync(long cell, int epoch)
    {
        try
        {
            SiloAddress host = await _grains.Grain<ICellGrain>(cell).HostAsync();
            if (Volatile.Read(ref _epoch) == epoch)
            {
                _hosts[cell] = host;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Changes keep going straight to the cell; the next one asks again.
            LogResolveFailed(cell, ex.Message);
        }
        finally
        {
            _resolving.TryRemove(cell, out _);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken) =>
        await Task.WhenAll(FlushEveryWindowAsync(stoppingToken), ForgetOnMembershipChangeAsync(stoppingToken));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        FlushAll();
    }

    private async Task FlushEveryWindowAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_window);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                FlushAll();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void FlushAll()
    {
        RepublishActivatedCells();
        foreach (Outbox outbox in _outboxes.Values)
        {
            Flush(outbox);
        }
    }

    private void Flush(Outbox outbox)
    {
        (long[] cells, CellChange[] changes)? batch = outbox.Take();
        if (batch is not { } taken)
        {
            return;
        }

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _batched, taken.changes.Length);
        _ = DeliverAsync(outbox.Silo, taken.cells, taken.changes);
    }

    private async Task DeliverAsync(SiloAddress silo, long[] cells, CellChange[] changes)
    {
        try
        {
            await _relays.On(silo).DeliverAsync(cells, changes);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The silo is going or gone: each change goes straight to its cell, which Orleans activates
            // again on a silo that is still here, so that the map does not keep a dead silo's last view.
            LogRelayFailed(silo, changes.Length, ex.Message);
            SendEachDirect(cells, changes);
        }
    }

    private async Task ForgetOnMembershipChangeAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (ClusterMembershipSnapshot snapshot in _membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                // Snapshots come for every change of the membership table, liveness updates included;
                // only a silo that stopped being active moves cells. Cells on the silos still active
                // stay where they are (they are kept alive), so only the gone silos' cells are forgotten.
                if (!_hosts.Values.Any(h => snapshot.GetSiloStatus(h) != SiloStatus.Active) &&
                    !_outboxes.Keys.Any(h => snapshot.GetSiloStatus(h) != SiloStatus.Active))
                {
                    continue;
                }

                Interlocked.Increment(ref _epoch);
                foreach ((long cell, SiloAddress host) in _hosts)
                {
                    if (snapshot.GetSiloStatus(host) != SiloStatus.Active)
                    {
                        _hosts.TryRemove(new KeyValuePair<long, SiloAddress>(cell, host));
                    }
                }

                // Changes waiting for a silo that is no longer active go straight to their cells, which
                // activate again on a silo that is.
                foreach ((SiloAddress silo, Outbox outbox) in _outboxes)
                {
                    if (snapshot.GetSiloStatus(silo) != SiloStatus.Active)
                    {
                        _outboxes.TryRemove(silo, out _);
                        if (outbox.Take() is { } stranded)
                        {
                            SendEachDirect(stranded.cells, stranded.changes);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not learn which silo cell {Cell} is on: {Reason}")]
    private partial void LogResolveFailed(long cell, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Not every silo said which of its cells hold twins: {Reason}")]
    private partial void LogAskFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not relay {Count} cell changes to silo {Silo}, sent them one by one: {Reason}")]
    private partial void LogRelayFailed(SiloAddress silo, int count, string reason);

    /// <summary>The changes waiting for one silo.</summary>
    private sealed class Outbox(SiloAddress silo)
    {
        private readonly Lock _lock = new();
        private readonly List<long> _cells = [];
        private readonly List<CellChange> _changes = [];

        public SiloAddress Silo { get; } = silo;

        /// <summary>Adds a change; answers this outbox when it holds a full batch, to be sent now.</summary>
        public Outbox? Add(long cell, CellChange change, int batch)
        {
            lock (_lock)
            {
                _cells.Add(cell);
                _changes.Add(change);
                return _changes.Count >= batch ? this : null;
            }
        }

        public (long[] cells, CellChange[] changes)? Take()
        {
            lock (_lock)
            {
                if (_changes.Count == 0)
                {
                    return null;
                }

                (long[], CellChange[]) taken = ([.. _cells], [.. _changes]);
                _cells.Clear();
                _changes.Clear();
                return taken;
            }
        }
    }
}
