namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// One connection's places in the <see cref="InFlightWindow"/>. A place is taken when a message is
/// read from the socket and handed over with the message to the consumer, which releases it once the
/// message is acknowledged or let go. Messages the client read but never handed over (the connection
/// went away with them in its queue) give their places back when the connection closes.
/// </summary>
internal sealed class WindowConnection(InFlightWindow window)
{
    private readonly Lock _lock = new();
    private int _notHandedOver;
    private bool _closed;

    public async Task TakeAsync(CancellationToken cancellationToken)
    {
        await window.TakeAsync(cancellationToken);
        bool closed;
        lock (_lock)
        {
            closed = _closed;
            if (!closed)
            {
                _notHandedOver++;
            }
        }

        if (closed)
        {
            window.Release();
        }
    }

    /// <summary>Passes one taken place to the caller, who must release it; false when the connection is closed.</summary>
    public bool HandOver()
    {
        lock (_lock)
        {
            if (_closed || _notHandedOver == 0)
            {
                return false;
            }

            _notHandedOver--;
            return true;
        }
    }

    public void Release() => window.Release();

    public void Close()
    {
        int left;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            left = _notHandedOver;
            _notHandedOver = 0;
        }

        for (int i = 0; i < left; i++)
        {
            window.Release();
        }
    }
}
