using TwinCity.Grains.Interfaces.History;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.History;

/// <summary>
/// The embedded city's history: the latest uplinks of the whole city in a bounded ring, so that the
/// map's history panel works without a database. Nothing here survives the process; cluster mode
/// keeps history in PostgreSQL.
/// </summary>
public sealed class InMemoryHistory(int capacity = 200_000) : ITwinHistory, IUplinkJournal
{
    private readonly HistoryRecord?[] _ring = new HistoryRecord?[capacity];
    private readonly Lock _lock = new();
    private long _written;

    public bool IsDurable => false;

    public Task AppendAsync(HistoryRecord record)
    {
        lock (_lock)
        {
            _ring[_written % _ring.Length] = record;
            _written++;
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<HistoryRecord>> ReadSinceAsync(TwinKind kind, string twinId, DateTime since, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<HistoryRecord>>([.. Enumerable.Reverse(Select(kind, twinId, since, DateTime.MaxValue))]);

    public Task<IReadOnlyList<HistoryRecord>> QueryAsync(TwinKind kind, string twinId, DateTime from, DateTime to, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<HistoryRecord>>([.. Select(kind, twinId, from, to).Take(limit)]);

    /// <summary>Newest first.</summary>
    private List<HistoryRecord> Select(TwinKind kind, string twinId, DateTime from, DateTime to)
    {
        var result = new List<HistoryRecord>();
        lock (_lock)
        {
            long first = Math.Max(0, _written - _ring.Length);
            for (long i = _written - 1; i >= first; i--)
            {
                HistoryRecord? r = _ring[i % _ring.Length];
                if (r is not null && r.Kind == kind && r.At >= from && r.At <= to && string.Equals(r.TwinId, twinId, StringComparison.Ordinal))
                {
                    result.Add(r);
                }
            }
        }

        return result;
    }
}
