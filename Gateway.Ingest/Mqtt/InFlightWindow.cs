using TwinCity.Grains.Interfaces;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// The consumer's own bound on messages taken from the broker and not yet acknowledged or let go
/// (<see cref="MqttOptions.InFlight"/>). A broker is asked for the same through the MQTT 5 receive
/// maximum, but not every broker keeps to it (mosquitto 2.0 was seen sending its whole backlog), and
/// the MQTT client reads whatever arrives into a queue without bound; so the consumer stops reading
/// the socket while the window is full, and TCP leaves the rest in the broker.
/// </summary>
internal sealed class InFlightWindow(int size) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(size, size);
    private long _held;
    private long _peak;

    public long Held => Interlocked.Read(ref _held);

    public long Peak => Interlocked.Read(ref _peak);

    /// <summary>Waits for a free place, then holds it for one message until <see cref="Release"/>.</summary>
    public async Task TakeAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        HighWater.Raise(ref _peak, Interlocked.Increment(ref _held));
    }

    public void Release()
    {
        Interlocked.Decrement(ref _held);
        _slots.Release();
    }

    /// <summary>The window's share of one connection: places taken for messages its client has not handed over yet.</summary>
    public WindowConnection Open() => new(this);

    public void Dispose() => _slots.Dispose();
}
