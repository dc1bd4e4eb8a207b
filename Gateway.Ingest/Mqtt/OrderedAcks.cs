namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// Sends one connection's acknowledgements in the order its messages arrived, as far as that costs
/// nothing: a message that is done waits only for older ones that are still being applied, and not
/// at all once too many wait behind one that is stuck.
/// </summary>
/// <remarks>
/// A broker keeps each session's messages in flight in a list, oldest first, and finds the one a
/// PUBACK names by walking that list from the oldest (mosquitto 2.0 does, in
/// <c>db__message_delete_outgoing</c>). Ingest finishes messages out of order (its lanes run devices
/// in parallel, and a message forwarded to the device's owner comes back later than one applied here),
/// so with thousands in flight each acknowledgement cost the broker a walk past thousands of older
/// ones, and with three silos saturated the broker spent more CPU than the silos. In arrival order
/// each acknowledgement names the oldest message, the first in the list.
/// <para>
/// A message stuck behind is normal for a moment (a twin waking, a batch on its way to another
/// silo), but one can be stuck for seconds: its owner hung, and the cluster has not declared it dead
/// yet. Holding back everything after it would hold the broker's window full, and the silo's own
/// devices would stop too. So once <c>holdAtMost</c> finished messages wait behind the oldest
/// unfinished one, they are all acknowledged at once, and later ones as they finish, until the stuck
/// one is done; the broker then walks past the stuck ones, as it did before.
/// </para>
/// <para>
/// Ordering acknowledgements changes only when each is sent, never whether: a message is acknowledged
/// only once applied or dead-lettered, as before, and one given back is never acknowledged.
/// </para>
/// </remarks>
internal sealed class OrderedAcks(int holdAtMost, Action<object> acknowledge)
{
    private readonly Lock _lock = new();
    private readonly Queue<Delivery> _order = new();

    /// <summary>Finished messages held behind the oldest unfinished one.</summary>
    private int _held;

    /// <summary>Whether the oldest unfinished message held back <c>holdAtMost</c> others: later ones are acknowledged as they finish.</summary>
    private bool _passing;

    /// <summary>Messages received and not yet acknowledged or let go, finished or not.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _order.Count;
            }
        }
    }

    /// <summary>Finished messages waiting for an older one (at most <c>holdAtMost</c>).</summary>
    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    /// <summary>Takes a message in arrival order; its acknowledgement goes out once <see cref="Finish"/> allows.</summary>
    public Delivery Add(object message)
    {
        var delivery = new Delivery(this, message);
        lock (_lock)
        {
            _order.Enqueue(delivery);
        }

        return delivery;
    }

    private void Finish(Delivery delivery, bool applied)
    {
        List<object>? send = null;
        lock (_lock)
        {
            if (delivery.State != Pending)
            {
                return;
            }

            if (_order.Peek() == delivery)
            {
                // The oldest: it and every finished one right behind it go now, in order.
                _order.Dequeue();
                delivery.State = Sent;
                if (applied)
                {
                    (send ??= []).Add(delivery.Message);
                }

                while (_order.TryPeek(out Delivery? next) && next.State != Pending)
                {
                    _order.Dequeue();
                    if (next.State == Done)
                    {
                        (send ??= []).Add(next.Message);
                        _held--;
                    }

                    next.State = Sent;
                }

                _passing = false;
            }
            else if (!applied)
            {
                delivery.State = LetGo;
            }
            else if (_passing)
            {
                delivery.State = Sent;
                (send ??= []).Add(delivery.Message);
            }
            else if (++_held < holdAtMost)
            {
                delivery.State = Done;
            }
            else
            {
                // Too many wait behind one that is stuck: let them all go, and later ones as they finish.
                _passing = true;
                _held = 0;
                delivery.State = Done;
                foreach (Delivery waiting in _order)
                {
                    if (waiting.State == Done)
                    {
                        waiting.State = Sent;
                        (send ??= []).Add(waiting.Message);
                    }
                }
            }
        }

        if (send is not null)
        {
            foreach (object message in send)
            {
                acknowledge(message);
            }
        }
    }

    private const byte Pending = 0;
    private const byte Done = 1;
    private const byte LetGo = 2;
    private const byte Sent = 3;

    /// <summary>One message's place in the order.</summary>
    internal sealed class Delivery(OrderedAcks order, object message)
    {
        public object Message { get; } = message;

        internal byte State;

        /// <summary>The consumer's own mark: whether the message still counts against its window (0), waits outside it (1), or is done (2).</summary>
        internal int Window;

        /// <summary>
        /// The message is done with: acknowledged (in order) when <paramref name="applied"/>, else let go
        /// without an acknowledgement, so the broker delivers it again on the next connection.
        /// </summary>
        public void Finish(bool applied) => order.Finish(this, applied);
    }
}
