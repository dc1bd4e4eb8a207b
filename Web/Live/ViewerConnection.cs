using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Live;

/// <summary>
/// One SignalR connection's view: the areas it watches and the changes held back for it. A twin
/// that changed less than the per-twin interval ago waits; a newer change replaces the held one.
/// </summary>
internal sealed class ViewerConnection(string connectionId)
{
    private readonly Dictionary<TwinKey, TwinSummary> _held = [];
    private readonly Dictionary<TwinKey, long> _lastSent = [];
    private readonly Queue<string> _recentNotices = new();
    private long _lastPruned;

    public string ConnectionId { get; } = connectionId;

    public Lock Sync { get; } = new();

    public List<WatchedArea> Areas { get; } = [];

    public HashSet<TwinKey> Twins { get; } = [];

    public int HeldCount => _held.Count;

    /// <summary>How many twins' send times the connection remembers.</summary>
    public int RememberedCount => _lastSent.Count;

    /// <summary>True when the connection should hear of a change in <paramref name="cell"/>.</summary>
    public bool Wants(long cell, TwinSummary summary)
    {
        foreach (WatchedArea area in Areas)
        {
            if (area.Box.Contains(summary.Position))
            {
                return true;
            }
        }

        // A twin that left a watched cell is told once more, so that the viewer can move or drop it.
        return CellGrid.CellOf(summary.Position) != cell && WatchesCell(cell);
    }

    public bool WatchesCell(long cell)
    {
        foreach (WatchedArea area in Areas)
        {
            if (area.Cells.Contains(cell))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns true when the change may go now; otherwise it is held for the next flush.</summary>
    public bool Offer(TwinSummary summary, long now, long interval)
    {
        TwinKey key = summary.Key;
        if (_held.TryGetValue(key, out TwinSummary? held) && held.Version >= summary.Version)
        {
            return false;
        }

        if (!_lastSent.TryGetValue(key, out long last) || now - last >= interval)
        {
            _held.Remove(key);
            _lastSent[key] = now;
            return true;
        }

        _held[key] = summary;
        return false;
    }

    /// <summary>Takes the held changes whose interval has passed.</summary>
    public void TakeDue(long now, long interval, List<TwinSummary> into)
    {
        if (_held.Count > 0)
        {
            List<TwinKey>? sent = null;
            foreach ((TwinKey key, TwinSummary summary) in _held)
            {
                if (now - _lastSent.GetValueOrDefault(key) >= interval)
                {
                    into.Add(summary);
                    _lastSent[key] = now;
                    (sent ??= []).Add(key);
                }
            }

            if (sent is not null)
            {
                foreach (TwinKey key in sent)
                {
                    _held.Remove(key);
                }
            }
        }
    }

    /// <summary>
    /// Forgets send times that no longer hold anything back (an entry older than the interval means
    /// the same as none), at most once every four intervals, so that a viewer panning over the city
    /// for days keeps only what it saw lately. Called on every flush, whether or not anything is held.
    /// </summary>
    public void Forget(long now, long interval)
    {
        if (_lastSent.Count <= 64 || now - _lastPruned < interval * 4)
        {
            return;
        }

        _lastPruned = now;
        foreach ((TwinKey key, long sentAt) in _lastSent)
        {
            // Removing the current entry while enumerating is allowed for Dictionary since .NET Core 3.0.
            if (now - sentAt >= interval && !_held.ContainsKey(key))
            {
                _lastSent.Remove(key);
            }
        }

        Shrink(_lastSent);
        Shrink(_held);
    }

    /// <summary>Gives back a dictionary's room after a burst: a dictionary never shrinks by itself.</summary>
    private static void Shrink<TValue>(Dictionary<TwinKey, TValue> map)
    {
        if (map.EnsureCapacity(0) > 256 && map.Count < map.EnsureCapacity(0) / 4)
        {
            map.TrimExcess();
        }
    }

    /// <summary>A firing reaches several cells; a connection hears of it once.</summary>
    public bool FirstTime(string noticeId)
    {
        if (_recentNotices.Contains(noticeId))
        {
            return false;
        }

        _recentNotices.Enqueue(noticeId);
        if (_recentNotices.Count > 256)
        {
            _recentNotices.Dequeue();
        }

        return true;
    }
}
