namespace TwinCity.Grains.Cells;

/// <summary>
/// Grain observers with a lease: a silo refreshes its subscription now and then, and one that stops
/// (its silo died) is dropped when the lease runs out.
/// </summary>
public sealed class ObserverSet<T>(TimeProvider time, TimeSpan lease)
    where T : IGrainObserver
{
    // Made on the first subscription: most twins are never watched one by one, and a million empty
    // dictionaries would cost more than their twins' state.
    private Dictionary<T, DateTime>? _observers;

    public int Count => _observers?.Count ?? 0;

    public void Add(T observer) => (_observers ??= [])[observer] = time.GetUtcNow().UtcDateTime + lease;

    public void Remove(T observer) => _observers?.Remove(observer);

    /// <summary>Calls <paramref name="notify"/> on each live observer, dropping expired ones and ones that fail.</summary>
    public void Notify(Action<T> notify)
    {
        if (_observers is not { Count: > 0 })
        {
            return;
        }

        DateTime now = time.GetUtcNow().UtcDateTime;
        List<T>? dead = null;
        foreach ((T observer, DateTime expires) in _observers)
        {
            if (expires < now)
            {
                (dead ??= []).Add(observer);
                continue;
            }

            try
            {
                notify(observer);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                (dead ??= []).Add(observer);
            }
        }

        if (dead is not null)
        {
            foreach (T observer in dead)
            {
                _observers.Remove(observer);
            }
        }
    }
}
