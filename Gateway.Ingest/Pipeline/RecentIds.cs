using TwinCity.Gateway.Ingest.Envelopes;

namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>
/// A bounded set of recently seen ids (ChirpStack deduplication ids, as <see cref="DeduplicationKey"/>s):
/// a repeat of an uplink that was already applied is dropped before it costs a grain call. Oldest
/// ids fall out first.
/// </summary>
/// <remarks>
/// Every uplink asks, and every applied one adds, so a large set is split into stripes by the id's
/// hash, each with its own lock and an equal part of the capacity: threads applying uplinks then
/// rarely wait for each other. Each stripe drops its own oldest ids, so the set keeps about the
/// latest <c>capacity</c> ids, exactly the latest of each stripe. A capacity below
/// <see cref="IdsPerStripe"/> twice is one stripe.
/// </remarks>
public sealed class RecentIds
{
    /// <summary>The fewest ids a stripe is made for.</summary>
    public const int IdsPerStripe = 4 * 1024;

    /// <summary>The most stripes.</summary>
    public const int MaxStripes = 16;

    private readonly Stripe[] _stripes;

    public RecentIds(int capacity)
    {
        int stripes = Math.Clamp(capacity / IdsPerStripe, 1, MaxStripes);
        _stripes = new Stripe[stripes];
        for (int i = 0; i < stripes; i++)
        {
            _stripes[i] = new Stripe(Math.Max(0, capacity / stripes) + (i < capacity % stripes ? 1 : 0));
        }
    }

    /// <summary>How many stripes the ids are spread over.</summary>
    public int Stripes => _stripes.Length;

    public bool Contains(DeduplicationKey id) => StripeOf(id).Contains(id);

    public void Add(DeduplicationKey id) => StripeOf(id).Add(id);

    public bool Contains(string id) => Contains(DeduplicationKey.Of(id));

    public void Add(string id) => Add(DeduplicationKey.Of(id));

    private Stripe StripeOf(DeduplicationKey id) => _stripes.Length == 1 ? _stripes[0] : _stripes[(uint)id.GetHashCode() % (uint)_stripes.Length];

    private sealed class Stripe(int capacity)
    {
        private readonly HashSet<DeduplicationKey> _set = [];
        private readonly Queue<DeduplicationKey> _order = new();
        private readonly Lock _lock = new();

        public bool Contains(DeduplicationKey id)
        {
            lock (_lock)
            {
                return _set.Contains(id);
            }
        }

        public void Add(DeduplicationKey id)
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
}
