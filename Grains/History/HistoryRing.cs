using TwinCity.Grains.Interfaces.History;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.History;

/// <summary>
/// One ring of <see cref="InMemoryHistory"/>: the latest records of the twins it holds, up to its capacity.
/// </summary>
/// <remarks>
/// The ring holds values, not objects: each record is a struct in one array and its readings are
/// copied into a second array, which grows when records carry more readings than it has room for.
/// At 5,000 uplinks a second a record stays about 40 s; kept as objects (the record, its readings,
/// its radio details) each one outlived the young generations and was copied through them, which
/// is what made the silo's gen0 and gen1 collections pause for 40 to 120 ms. Records are made
/// again, as objects, only when the history is read. Both arrays start small and grow with use, up
/// to the capacity.
/// </remarks>
internal sealed class HistoryRing
{
    // A radio without an RSSI or an SNR keeps these in its place (no receiver reports either).
    private const int NoRssi = int.MinValue;

    private readonly int _capacity;
    private readonly Lock _lock = new();
    private Entry[] _ring;
    private Reading[] _readings;
    private long _written;
    private long _readingsWritten;

    public HistoryRing(int capacity, int initialReadings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _ring = new Entry[Math.Min(capacity, 1024)];
        _readings = new Reading[Math.Max(16, initialReadings > 0 ? initialReadings : 4096)];
    }

    /// <summary>How many readings the ring has room for now (it grows with what the records carry).</summary>
    public int ReadingCapacity
    {
        get
        {
            lock (_lock)
            {
                return _readings.Length;
            }
        }
    }

    public void Append(HistoryRecord record)
    {
        Reading[] values = record.Values ?? [];
        RadioInfo? radio = record.Radio;
        lock (_lock)
        {
            if (_written == _ring.Length && _ring.Length < _capacity)
            {
                // Not full yet, so nothing has wrapped: the records keep their places.
                Array.Resize(ref _ring, (int)Math.Min(_capacity, _ring.Length * 2L));
            }

            MakeRoom(values.Length);
            long start = _readingsWritten;
            for (int i = 0; i < values.Length; i++)
            {
                _readings[(start + i) % _readings.Length] = values[i];
            }

            _readingsWritten += values.Length;
            _ring[_written % _ring.Length] = new Entry(
                record.Kind,
                record.TwinId,
                record.DevEui,
                record.FCnt,
                record.At,
                start,
                values.Length,
                radio is not null,
                radio?.Rssi ?? NoRssi,
                radio?.Snr ?? double.NaN,
                SharedStrings.Get(radio?.Gateway));
            _written++;
        }
    }

    /// <summary>Records of one twin between two instants, newest first, at most <paramref name="limit"/>.</summary>
    public List<HistoryRecord> Select(TwinKind kind, string twinId, DateTime from, DateTime to, int limit)
    {
        var result = new List<HistoryRecord>();
        lock (_lock)
        {
            long first = Math.Max(0, _written - _ring.Length);
            for (long i = _written - 1; i >= first && result.Count < limit; i--)
            {
                ref readonly Entry e = ref _ring[i % _ring.Length];
                if (e.Kind == kind && e.At >= from && e.At <= to && string.Equals(e.TwinId, twinId, StringComparison.Ordinal))
                {
                    result.Add(ToRecord(in e));
                }
            }
        }

        return result;
    }

    private HistoryRecord ToRecord(in Entry e)
    {
        var values = new Reading[e.ReadingCount];
        for (int j = 0; j < values.Length; j++)
        {
            values[j] = _readings[(e.ReadingStart + j) % _readings.Length];
        }

        RadioInfo? radio = e.HasRadio ? new RadioInfo(e.Rssi == NoRssi ? null : e.Rssi, double.IsNaN(e.Snr) ? null : e.Snr, e.Gateway) : null;
        return new HistoryRecord(e.Kind, e.TwinId, e.DevEui, e.FCnt, e.At, values, radio);
    }

    /// <summary>
    /// Makes sure that writing <paramref name="count"/> more readings overwrites none that a record
    /// still in the ring (after this append) points at, growing the readings array if it must.
    /// </summary>
    private void MakeRoom(int count)
    {
        long oldestKept = _written + 1 - _capacity;
        long keepFrom = oldestKept <= 0 ? 0 : _ring[oldestKept % _ring.Length].ReadingStart;
        long needed = _readingsWritten + count - keepFrom;
        if (needed <= _readings.Length)
        {
            return;
        }

        long size = _readings.Length;
        while (size < needed)
        {
            size *= 2;
        }

        // Positions are absolute, taken modulo the length: each reading still needed moves to its
        // place in the larger array.
        var grown = new Reading[checked((int)size)];
        for (long p = keepFrom; p < _readingsWritten; p++)
        {
            grown[p % size] = _readings[p % _readings.Length];
        }

        _readings = grown;
    }

    private readonly record struct Entry(
        TwinKind Kind,
        string TwinId,
        ulong DevEui,
        uint FCnt,
        DateTime At,
        long ReadingStart,
        int ReadingCount,
        bool HasRadio,
        int Rssi,
        double Snr,
        string? Gateway);
}
