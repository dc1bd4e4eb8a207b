using TwinCity.Grains.Interfaces.History;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.History;

/// <summary>
/// The embedded city's history: the latest uplinks of the whole city in bounded rings, so that the
/// map's history panel works without a database. Nothing here survives the process; cluster mode
/// keeps history in PostgreSQL.
/// </summary>
/// <remarks>
/// <para>
/// Each twin's records go to one of several rings, chosen by its id, and each ring has its own lock:
/// every uplink of the city writes a record, and with one ring and one lock the threads applying
/// uplinks queued for it. A ring holds an equal part of the capacity, so the history keeps about
/// the latest <c>capacity</c> records of the city, exactly the latest of the twins in each ring. A
/// small capacity (below <see cref="RecordsPerRing"/> twice) is kept in one ring.
/// </para>
/// <para>
/// How a ring keeps its records as values rather than objects is told in <see cref="HistoryRing"/>.
/// </para>
/// </remarks>
public sealed class InMemoryHistory : ITwinHistory, IUplinkJournal
{
    /// <summary>The fewest records a ring is made for.</summary>
    public const int RecordsPerRing = 16 * 1024;

    /// <summary>The most rings.</summary>
    public const int MaxRings = 8;

    private readonly HistoryRing[] _rings;

    public InMemoryHistory(int capacity = 200_000, int initialReadings = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        int rings = Math.Clamp(capacity / RecordsPerRing, 1, MaxRings);
        _rings = new HistoryRing[rings];
        for (int i = 0; i < rings; i++)
        {
            // The remainder goes to the first rings, one record each, so that the parts add up to the capacity.
            int part = (capacity / rings) + (i < capacity % rings ? 1 : 0);
            _rings[i] = new HistoryRing(part, initialReadings > 0 ? Math.Max(1, initialReadings / rings) : 0);
        }
    }

    public bool IsDurable => false;

    /// <summary>How many rings the records are spread over.</summary>
    public int Rings => _rings.Length;

    /// <summary>How many readings the rings have room for now (they grow with what the records carry).</summary>
    internal int ReadingCapacity => _rings.Sum(r => r.ReadingCapacity);

    public Task AppendAsync(HistoryRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        RingOf(record.TwinId).Append(record);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<HistoryRecord>> ReadSinceAsync(TwinKind kind, string twinId, DateTime since, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<HistoryRecord>>([.. Enumerable.Reverse(RingOf(twinId).Select(kind, twinId, since, DateTime.MaxValue, int.MaxValue))]);

    public Task<IReadOnlyList<HistoryRecord>> QueryAsync(TwinKind kind, string twinId, DateTime from, DateTime to, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<HistoryRecord>>(RingOf(twinId).Select(kind, twinId, from, to, limit));

    private HistoryRing RingOf(string twinId) =>
        _rings.Length == 1 ? _rings[0] : _rings[(uint)string.GetHashCode(twinId, StringComparison.Ordinal) % (uint)_rings.Length];
}
