namespace TwinCity.Grains.Twins;

/// <summary>
/// One queue per silo of the moments its twins have housekeeping to do (a device that may have gone
/// quiet, a snapshot to write). A grain timer per twin costs about 600 bytes of timer, callback and
/// bookkeeping objects; here a waiting twin costs one slot of a binary min-heap, and one timer
/// serves the whole silo, armed for the earliest due time. When a twin's time comes the queue calls
/// <see cref="IDueTwin.OnDue"/>, which sends the twin a message, so the work runs in the twin's
/// own turn like any other call.
/// </summary>
public sealed class TwinDueTimes : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly IGrainFactory _grains;
    private readonly ITimer _timer;
    private IDueTwin[] _heap = new IDueTwin[256];
    private int _count;

    /// <summary>When the silo timer is armed for, in UTC ticks; <see cref="long.MaxValue"/> when idle.</summary>
    private long _armedFor = long.MaxValue;
    private bool _disposed;

    public TwinDueTimes(TimeProvider time, IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(grains);
        _time = time;
        _grains = grains;
        _timer = time.CreateTimer(static s => ((TwinDueTimes)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How many twins wait for a due time.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Queues <paramref name="twin"/> for <paramref name="due"/>, or moves it there when already queued.</summary>
    public void Schedule(IDueTwin twin, DateTime due)
    {
        ArgumentNullException.ThrowIfNull(twin);
        long ticks = due.Ticks;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            int slot = twin.DueSlot;
            if (slot >= 0 && slot < _count && ReferenceEquals(_heap[slot], twin))
            {
                long old = twin.DueTicks;
                twin.DueTicks = ticks;
                if (ticks < old)
                {
                    Up(slot);
                }
                else if (ticks > old)
                {
                    Down(slot);
                }
            }
            else
            {
                if (_count == _heap.Length)
                {
                    Array.Resize(ref _heap, _heap.Length * 2);
                }

                twin.DueTicks = ticks;
                _heap[_count] = twin;
                twin.DueSlot = _count;
                _count++;
                Up(_count - 1);
            }

            ArmLocked();
        }
    }

    /// <summary>Takes <paramref name="twin"/> out of the queue; nothing happens when it is not queued.</summary>
    public void Cancel(IDueTwin twin)
    {
        ArgumentNullException.ThrowIfNull(twin);
        lock (_lock)
        {
            int slot = twin.DueSlot;
            if (slot < 0 || slot >= _count || !ReferenceEquals(_heap[slot], twin))
            {
                return;
            }

            RemoveAt(slot);
            ArmLocked();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            Array.Clear(_heap);
            _count = 0;
        }

        _timer.Dispose();
    }

    private void Fire()
    {
        List<IDueTwin>? due = null;
        lock (_lock)
        {
            _armedFor = long.MaxValue;
            long now = _time.GetUtcNow().UtcTicks;
            while (_count > 0 && _heap[0].DueTicks <= now)
            {
                (due ??= []).Add(_heap[0]);
                RemoveAt(0);
            }

            ArmLocked();
        }

        if (due is null)
        {
            return;
        }

        foreach (IDueTwin twin in due)
        {
            try
            {
                twin.OnDue(_grains);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One twin's failure to take the call must not starve the others; it is queued again when it next changes.
            }
        }
    }

    /// <summary>Arms the silo timer for the earliest due time when that is sooner than it is armed for.</summary>
    private void ArmLocked()
    {
        if (_count == 0 || _disposed)
        {
            return;
        }

        long next = _heap[0].DueTicks;
        if (next >= _armedFor)
        {
            return;
        }

        _armedFor = next;
        long wait = next - _time.GetUtcNow().UtcTicks;
        _timer.Change(TimeSpan.FromTicks(Math.Max(0, wait)), Timeout.InfiniteTimeSpan);
    }

    private void RemoveAt(int slot)
    {
        IDueTwin removed = _heap[slot];
        removed.DueSlot = -1;
        _count--;
        if (slot == _count)
        {
            _heap[_count] = null!;
            return;
        }

        IDueTwin last = _heap[_count];
        _heap[_count] = null!;
        _heap[slot] = last;
        last.DueSlot = slot;
        if (slot > 0 && last.DueTicks < _heap[(slot - 1) / 2].DueTicks)
        {
            Up(slot);
        }
        else
        {
            Down(slot);
        }
    }

    private void Up(int slot)
    {
        IDueTwin item = _heap[slot];
        while (slot > 0)
        {
            int parent = (slot - 1) / 2;
            IDueTwin p = _heap[parent];
            if (p.DueTicks <= item.DueTicks)
            {
                break;
            }

            _heap[slot] = p;
            p.DueSlot = slot;
            slot = parent;
        }

        _heap[slot] = item;
        item.DueSlot = slot;
    }

    private void Down(int slot)
    {
        IDueTwin item = _heap[slot];
        while (true)
        {
            int child = (2 * slot) + 1;
            if (child >= _count)
            {
                break;
            }

            if (child + 1 < _count && _heap[child + 1].DueTicks < _heap[child].DueTicks)
            {
                child++;
            }

            IDueTwin c = _heap[child];
            if (item.DueTicks <= c.DueTicks)
            {
                break;
            }

            _heap[slot] = c;
            c.DueSlot = slot;
            slot = child;
        }

        _heap[slot] = item;
        item.DueSlot = slot;
    }
}
