using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Hubs;

namespace TwinCity.Web.Live;

/// <summary>
/// This silo's live map: which of its connections watch which areas and twins, one subscription
/// per watched cell (and per watched twin) for the whole silo, and the per-connection pacing of
/// <c>twinChanged</c>. Nothing is broadcast: a change reaches only the connections whose area holds it.
/// </summary>
public sealed partial class LiveViewers : IHostedService, IDisposable
{
    /// <summary>How many times <see cref="ResyncAsync"/> tries a cell, and how long it first waits between tries (doubling).</summary>
    private const int ResyncAttempts = 5;

    private static readonly TimeSpan ResyncRetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly IGrainFactory _grains;
    private readonly IHubContext<CityHub> _hub;
    private readonly LiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveViewers> _logger;
    private readonly ITwinDirectory? _twins;
    private readonly ConcurrentDictionary<string, ViewerConnection> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<long, HashSet<string>> _cellWatchers = [];
    private readonly Dictionary<TwinKey, HashSet<string>> _twinWatchers = [];
    private readonly Lock _sync = new();
    private readonly LiveObserver _observer;
    private readonly CancellationTokenSource _stopping = new();
    private ICellObserver? _cellObserver;
    private ITwinObserver? _twinObserver;
    private Task? _flushLoop;
    private Task? _renewLoop;

    public LiveViewers(
        IGrainFactory grains, IHubContext<CityHub> hub, IOptions<LiveOptions> options, TimeProvider time, ILogger<LiveViewers> logger, ITwinDirectory? twins = null)
    {
        _grains = grains;
        _twins = twins;
        _hub = hub;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _observer = new LiveObserver(this);
    }

    public int ConnectionCount => _connections.Count;

    /// <summary>How many per-twin send times the connections remember in all.</summary>
    internal int RememberedSendTimes
    {
        get
        {
            int total = 0;
            foreach (ViewerConnection connection in _connections.Values)
            {
                lock (connection.Sync)
                {
                    total += connection.RememberedCount;
                }
            }

            return total;
        }
    }

    public int WatchedCellCount
    {
        get
        {
            lock (_sync)
            {
                return _cellWatchers.Count;
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _flushLoop = Task.Run(FlushLoopAsync, CancellationToken.None);
        _renewLoop = Task.Run(RenewLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // Stopped and disposed already (a host that gave up waiting for its services to stop).
            return;
        }

        await Task.WhenAll(_flushLoop ?? Task.CompletedTask, _renewLoop ?? Task.CompletedTask).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        if (_cellObserver is not null)
        {
            long[] cells;
            lock (_sync)
            {
                cells = [.. _cellWatchers.Keys];
            }

            // Leaving politely saves the cells from sending to a silo that is gone until the lease runs out.
            await Task.WhenAll(cells.Select(c => _grains.Grain<ICellGrain>(c).UnsubscribeAsync(_cellObserver)))
                .WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async Task<List<TwinSummary>> WatchAreaAsync(string connectionId, GeoBox box)
    {
        List<long> cells = CellGrid.CellsOf(box) ?? throw new HubException($"the area spans more than {CellGrid.MaxCellsPerArea} cells; watch a smaller one");
        ViewerConnection connection = _connections.GetOrAdd(connectionId, id => new ViewerConnection(id));
        var toSubscribe = new List<long>();
        lock (connection.Sync)
        {
            if (connection.Areas.Count >= _options.MaxAreasPerConnection)
            {
                throw new HubException($"this connection already watches {connection.Areas.Count} areas, the most one may; unwatch one first");
            }

            connection.Areas.Add(new WatchedArea(box, [.. cells]));
        }

        lock (_sync)
        {
            foreach (long cell in cells)
            {
                if (!_cellWatchers.TryGetValue(cell, out HashSet<string>? watchers))
                {
                    _cellWatchers[cell] = watchers = new HashSet<string>(StringComparer.Ordinal);
                    toSubscribe.Add(cell);
                }

                watchers.Add(connectionId);
            }
        }

        ICellObserver observer = CellObserverReference();
        await Task.WhenAll(toSubscribe.Select(c => _grains.Grain<ICellGrain>(c).SubscribeAsync(observer)));
        return await _grains.InAreaAsync(box, cells);
    }

    public async Task UnwatchAreaAsync(string connectionId, GeoBox box)
    {
        if (!_connections.TryGetValue(connectionId, out ViewerConnection? connection))
        {
            return;
        }

        HashSet<long> released;
        lock (connection.Sync)
        {
            int index = connection.Areas.FindIndex(a => a.Box == box);
            if (index < 0)
            {
                return;
            }

            WatchedArea area = connection.Areas[index];
            connection.Areas.RemoveAt(index);
            released = [.. area.Cells.Where(c => !connection.WatchesCell(c))];
        }

        await ReleaseCellsAsync(connectionId, released);
    }

    public async Task<TwinDocument?> WatchTwinAsync(string connectionId, TwinKey key)
    {
        // Asked of the directory, not the twin: a guess at an id must not wake a grain.
        if (_twins is not null && await _twins.ExistsOrUnknownAsync(key) == false)
        {
            throw new HubException($"there is no twin {key}");
        }

        ViewerConnection connection = _connections.GetOrAdd(connectionId, id => new ViewerConnection(id));
        bool first;
        lock (connection.Sync)
        {
            if (!connection.Twins.Contains(key) && connection.Twins.Count >= _options.MaxTwinsPerConnection)
            {
                throw new HubException($"this connection already watches {connection.Twins.Count} twins, the most one may; unwatch one first");
            }

            connection.Twins.Add(key);
        }

        lock (_sync)
        {
            if (!_twinWatchers.TryGetValue(key, out HashSet<string>? watchers))
            {
                _twinWatchers[key] = watchers = new HashSet<string>(StringComparer.Ordinal);
            }

            first = watchers.Count == 0;
            watchers.Add(connectionId);
        }

        ITwinGrain twin = _grains.GetTwin(key.Kind, key.Id);
        if (first)
        {
            await twin.WatchAsync(TwinObserverReference());
        }

        return await twin.GetAsync();
    }

    public async Task UnwatchTwinAsync(string connectionId, TwinKey key)
    {
        if (_connections.TryGetValue(connectionId, out ViewerConnection? connection))
        {
            lock (connection.Sync)
            {
                connection.Twins.Remove(key);
            }
        }

        await ReleaseTwinAsync(connectionId, key);
    }

    public async Task DisconnectAsync(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out ViewerConnection? connection))
        {
            return;
        }

        HashSet<long> cells;
        TwinKey[] twins;
        lock (connection.Sync)
        {
            cells = [.. connection.Areas.SelectMany(a => a.Cells)];
            twins = [.. connection.Twins];
        }

        await ReleaseCellsAsync(connectionId, cells);
        foreach (TwinKey key in twins)
        {
            await ReleaseTwinAsync(connectionId, key);
        }
    }

    internal void OnCellChanged(long cell, TwinSummary[] changes)
    {
        string[] watchers;
        lock (_sync)
        {
            if (!_cellWatchers.TryGetValue(cell, out HashSet<string>? set) || set.Count == 0)
            {
                return;
            }

            watchers = [.. set];
        }

        long now = _time.GetTimestamp();
        long interval = (long)(_options.PerTwinInterval.TotalSeconds * _time.TimestampFrequency);
        foreach (string id in watchers)
        {
            if (!_connections.TryGetValue(id, out ViewerConnection? connection))
            {
                continue;
            }

            List<TwinSummary>? immediate = null;
            lock (connection.Sync)
            {
                foreach (TwinSummary change in changes)
                {
                    if (connection.Wants(cell, change) && connection.Offer(change, now, interval))
                    {
                        (immediate ??= []).Add(change);
                    }
                }
            }

            if (immediate is not null)
            {
                Send(id, immediate);
            }
        }
    }

    internal void OnTwinChanged(TwinDocument document)
    {
        string[] watchers;
        lock (_sync)
        {
            if (!_twinWatchers.TryGetValue(new TwinKey(document.Kind, document.Id), out HashSet<string>? set) || set.Count == 0)
            {
                return;
            }

            watchers = [.. set];
        }

        _hub.Clients.Clients(watchers).SendAsync(CityHub.TwinDocumentEvent, document).ContinueWith(
            t => LogSendFailed(t.Exception!.GetBaseException().Message), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    internal void OnRuleFired(long cell, RuleFiredNotice notice)
    {
        string[] watchers;
        lock (_sync)
        {
            if (!_cellWatchers.TryGetValue(cell, out HashSet<string>? set) || set.Count == 0)
            {
                return;
            }

            watchers = [.. set];
        }

        string noticeId = $"{notice.Rule}|{notice.Source}|{notice.At.Ticks}";
        var targets = new List<string>();
        foreach (string id in watchers)
        {
            if (_connections.TryGetValue(id, out ViewerConnection? connection))
            {
                lock (connection.Sync)
                {
                    if (connection.FirstTime(noticeId))
                    {
                        targets.Add(id);
                    }
                }
            }
        }

        if (targets.Count > 0)
        {
            _hub.Clients.Clients(targets).SendAsync(CityHub.RuleFiredEvent, notice).ContinueWith(
                t => LogSendFailed(t.Exception!.GetBaseException().Message), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private void Send(string connectionId, List<TwinSummary> changes)
    {
        IClientProxy client = _hub.Clients.Client(connectionId);
        foreach (TwinSummary change in changes)
        {
            client.SendAsync(CityHub.TwinChangedEvent, change).ContinueWith(
                t => LogSendFailed(t.Exception!.GetBaseException().Message), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private async Task FlushLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.FlushInterval, _time);
        var due = new List<TwinSummary>();
        while (await timer.WaitForNextTickAsync(_stopping.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
        {
            long now = _time.GetTimestamp();
            long interval = (long)(_options.PerTwinInterval.TotalSeconds * _time.TimestampFrequency);
            foreach (ViewerConnection connection in _connections.Values)
            {
                due.Clear();
                lock (connection.Sync)
                {
                    connection.Forget(now, interval);
                    if (connection.HeldCount == 0)
                    {
                        continue;
                    }

                    connection.TakeDue(now, interval, due);
                }

                if (due.Count > 0)
                {
                    Send(connection.ConnectionId, [.. due]);
                }
            }
        }
    }

    /// <summary>
    /// Subscribes again to every watched cell, then sends each cell's twins as they stand, as changes, to
    /// the connections that watch it (a twin sent again unchanged costs a viewer nothing). Called when a
    /// silo is declared dead: the cells it hosted wake elsewhere without this silo's subscription, and the
    /// changes they take before the next renewal would otherwise never reach the viewers. A cell that
    /// cannot be reached yet (Orleans may still be moving the dead silo's share of its directory) is tried
    /// again on its own a few times, the others are not held back by it; the tries end early when
    /// <paramref name="cancellationToken"/> fires or the live map stops.
    /// </summary>
    public async Task ResyncAsync(CancellationToken cancellationToken = default)
    {
        long[] cells;
        lock (_sync)
        {
            cells = [.. _cellWatchers.Keys];
        }

        if (cells.Length == 0)
        {
            return;
        }

        ICellObserver observer = CellObserverReference();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        TimeSpan wait = ResyncRetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            (long Cell, Exception? Failure)[] outcomes = await Task.WhenAll(cells.Select(cell => ResyncCellAsync(cell, observer)));
            long[] failed = [.. outcomes.Where(o => o.Failure is not null).Select(o => o.Cell)];
            if (failed.Length == 0)
            {
                LogResynced(cells.Length, attempt);
                return;
            }

            if (attempt == ResyncAttempts || stop.IsCancellationRequested)
            {
                // The renewal loop subscribes again at its next interval.
                LogResyncFailed(outcomes.First(o => o.Failure is not null).Failure!, failed.Length, cells.Length, attempt);
                return;
            }

            cells = failed;
            await Task.Delay(wait, _time, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            wait *= 2;
        }
    }

    private async Task<(long Cell, Exception? Failure)> ResyncCellAsync(long cell, ICellObserver observer)
    {
        try
        {
            ICellGrain grain = _grains.Grain<ICellGrain>(cell);
            await grain.SubscribeAsync(observer);
            OnCellChanged(cell, await grain.GetTwinsAsync());
            return (cell, null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (cell, ex);
        }
    }

    private async Task RenewLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.RenewInterval, _time);
        while (await timer.WaitForNextTickAsync(_stopping.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
        {
            long[] cells;
            TwinKey[] twins;
            lock (_sync)
            {
                cells = [.. _cellWatchers.Keys];
                twins = [.. _twinWatchers.Where(p => p.Value.Count > 0).Select(p => p.Key)];
            }

            try
            {
                if (cells.Length > 0)
                {
                    ICellObserver cellObserver = CellObserverReference();
                    await Task.WhenAll(cells.Select(c => _grains.Grain<ICellGrain>(c).SubscribeAsync(cellObserver)));
                }

                if (twins.Length > 0)
                {
                    ITwinObserver twinObserver = TwinObserverReference();
                    await Task.WhenAll(twins.Select(t => _grains.GetTwin(t.Kind, t.Id).WatchAsync(twinObserver)));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRenewFailed(ex);
            }
        }
    }

    private async Task ReleaseCellsAsync(string connectionId, IEnumerable<long> cells)
    {
        var unsubscribe = new List<long>();
        lock (_sync)
        {
            foreach (long cell in cells)
            {
                if (_cellWatchers.TryGetValue(cell, out HashSet<string>? watchers) && watchers.Remove(connectionId) && watchers.Count == 0)
                {
                    _cellWatchers.Remove(cell);
                    unsubscribe.Add(cell);
                }
            }
        }

        if (unsubscribe.Count > 0)
        {
            ICellObserver observer = CellObserverReference();
            await Task.WhenAll(unsubscribe.Select(c => _grains.Grain<ICellGrain>(c).UnsubscribeAsync(observer)));
        }
    }

    private async Task ReleaseTwinAsync(string connectionId, TwinKey key)
    {
        bool last = false;
        lock (_sync)
        {
            if (_twinWatchers.TryGetValue(key, out HashSet<string>? watchers) && watchers.Remove(connectionId) && watchers.Count == 0)
            {
                _twinWatchers.Remove(key);
                last = true;
            }
        }

        if (last)
        {
            await _grains.GetTwin(key.Kind, key.Id).UnwatchAsync(TwinObserverReference());
        }
    }

    private ICellObserver CellObserverReference()
    {
        lock (_sync)
        {
            return _cellObserver ??= _grains.CreateObjectReference<ICellObserver>(_observer);
        }
    }

    private ITwinObserver TwinObserverReference()
    {
        lock (_sync)
        {
            return _twinObserver ??= _grains.CreateObjectReference<ITwinObserver>(_observer);
        }
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "A live update could not be sent: {Reason}")]
    private partial void LogSendFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The live map subscribed again to its {Cells} watched cells and sent them as they stand (in {Attempts} tries)")]
    private partial void LogResynced(int cells, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The live map could not subscribe again to {Failed} of its {Cells} watched cells in {Attempts} tries; the renewal tries again at its next interval")]
    private partial void LogResyncFailed(Exception exception, int failed, int cells, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the live map's subscriptions failed; it tries again at the next interval")]
    private partial void LogRenewFailed(Exception exception);
}
