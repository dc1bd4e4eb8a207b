namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>
/// A bounded set of recently seen ids (ChirpStack deduplication ids): a repeat of an uplink that
/// was already applied is dropped before it costs a grain call. Oldest ids fall out first.
/// </summary>
public sealed class RecentIds(int capacity)
{
    private readonly HashSet<string> _set = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    public bool Contains(string id)
    {
        lock (_lock)
        {
            return _set.Contains(id);
        }
    }

    public void Add(string id)
    {
        if (capacity <= 0)
        {
            return;
        }

        lock (_lock)
        {
            if (!_set.Add(id))
            {
                return;
            }

            _order.Enqueue(id);
            if (_order.Count > capacity)
            {
                _set.Remove(_order.Dequeue());
            }
        }
    }
}
