using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace TwinCity.Bench.Publishing;

/// <summary>
/// The load generator's side of one MQTT 5 connection, written for sending many QoS 1 publishes
/// cheaply: the sender encodes publishes into one buffer and hands the socket many at a time, and a
/// receive loop reads acknowledgements in bulk. A general client (MQTTnet's) makes a socket write and
/// a task per publish, which took about 70 µs of the two cores per uplink (half of it in the kernel)
/// and so competed with the platform it was loading. It does only what the publisher needs: connect
/// with a clean start, publish at QoS 1, count PUBACKs, disconnect.
/// </summary>
public sealed class LeanMqttConnection : IDisposable
{
    private const byte PublishQos1 = 0x32;
    private const byte PubAck = 0x40;
    private const byte PingResp = 0xD0;
    private const byte Disconnect = 0xE0;

    private readonly Socket _socket;
    private readonly ManualResetEventSlim _roomMade = new(false, spinCount: 0);
    private long _roomWaits;
    private readonly int _lowWater;
    private int _inFlight;
    private volatile bool _waitingForRoom;
    private readonly byte[] _out = new byte[64 * 1024];
    private readonly Task _receiving;
    private int _used;
    private ushort _nextPacketId;
    private long _acked;
    private long _failed;
    private string? _firstFailure;
    private volatile bool _closing;

    private LeanMqttConnection(Socket socket, int window)
    {
        _socket = socket;
        WindowSize = window;
        _lowWater = window * 3 / 4;
        _receiving = Task.Factory.StartNew(ReceiveLoop, TaskCreationOptions.LongRunning);
    }

    /// <summary>Publishes the broker acknowledged as taken (success, or no subscriber matched).</summary>
    public long Acked => Interlocked.Read(ref _acked);

    /// <summary>How many times the sender has waited for acknowledgements to make room in the window (read it from the sending thread).</summary>
    public long RoomWaits => _roomWaits;

    /// <summary>Publishes the broker refused.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public string? FirstFailure => _firstFailure;

    /// <summary>Connects with a clean start and waits for the broker's CONNACK; at most <paramref name="window"/> publishes are ever unacknowledged.</summary>
    public static Task<LeanMqttConnection> ConnectAsync(string host, int port, string clientId, int window, CancellationToken cancellationToken) =>
        Task.Run(() => Connect(host, port, clientId, window), cancellationToken);

    /// <summary>
    /// Connects with blocking calls only: a socket that has seen an asynchronous call stays in
    /// non-blocking mode, and each blocking receive then waits on the runtime's event loop (a futex
    /// wake-up per read) rather than in the kernel.
    /// </summary>
    private static LeanMqttConnection Connect(string host, int port, string clientId, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(window, ushort.MaxValue - 1);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(host, port);
            socket.Send(ConnectPacket(clientId));
            // Byte by byte until the CONNACK is whole, so that nothing after it is read here.
            byte[] connack = new byte[64];
            int got = 0;
            byte type;
            ReadOnlySpan<byte> body;
            while (!TryPacket(connack.AsSpan(0, got), out type, out body, out _))
            {
                if (got == connack.Length)
                {
                    Array.Resize(ref connack, connack.Length * 2);
                }

                if (socket.Receive(connack, got, 1, SocketFlags.None) == 0)
                {
                    throw new InvalidOperationException("the broker closed the connection during CONNECT");
                }

                got++;
            }

            if (type != 0x20)
            {
                throw new InvalidOperationException($"the broker answered CONNECT with packet 0x{type:x2}");
            }

            if (body.Length < 2 || body[1] != 0)
            {
                throw new InvalidOperationException($"the broker refused the connection (reason code 0x{(body.Length > 1 ? body[1] : 0xFF):x2})");
            }

            // The broker's Receive Maximum bounds what may be unacknowledged.
            if (ReceiveMaximum(body[2..]) is int receiveMaximum)
            {
                window = Math.Min(window, receiveMaximum);
            }

            return new LeanMqttConnection(socket, window);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Runs just before each write of buffered publishes to the socket.</summary>
    public Action? BeforeSend { get; set; }

    /// <summary>
    /// Takes a place in the window for the next <see cref="Publish"/>. When the window is full it first
    /// sends what is buffered (what the broker is waiting for), then waits until a quarter of the
    /// window is free again, so that a sender ahead of the broker writes publishes in batches rather
    /// than one for each acknowledgement.
    /// </summary>
    public void Reserve()
    {
        ThrowIfEnded();
        if (Volatile.Read(ref _inFlight) >= WindowSize)
        {
            Flush();
            _waitingForRoom = true;
            try
            {
                // Reset before each look at the count: an event left set by the last batch of
                // acknowledgements would return every wait at once and spin this thread on a core
                // the platform needs until the window drains.
                while (true)
                {
                    _roomMade.Reset();
                    if (Volatile.Read(ref _inFlight) <= _lowWater)
                    {
                        break;
                    }

                    _roomWaits++;
                    _roomMade.Wait(100);
                    ThrowIfEnded();
                }
            }
            finally
            {
                _waitingForRoom = false;
            }
        }

        Interlocked.Increment(ref _inFlight);
    }

    private void ThrowIfEnded()
    {
        if (_receiving.IsCompleted)
        {
            throw new InvalidOperationException($"the connection to the broker has ended: {_firstFailure ?? "closed"}");
        }
    }

    /// <summary>Adds a QoS 1 publish to the buffer (after <see cref="Reserve"/>), first sending what is buffered when it is full.</summary>
    public void Publish(string topic, ReadOnlySpan<byte> payload)
    {
        int topicBytes = Encoding.UTF8.GetByteCount(topic);
        int remaining = 2 + topicBytes + 2 + 1 + payload.Length;
        int size = 1 + VarIntSize(remaining) + remaining;
        if (size > _out.Length)
        {
            throw new ArgumentException($"a publish of {size} bytes does not fit the send buffer", nameof(payload));
        }

        if (_used + size > _out.Length)
        {
            Flush();
        }

        Span<byte> p = _out.AsSpan(_used, size);
        int at = 0;
        p[at++] = PublishQos1;
        at += WriteVarInt(p[at..], remaining);
        BinaryPrimitives.WriteUInt16BigEndian(p[at..], (ushort)topicBytes);
        at += 2;
        at += Encoding.UTF8.GetBytes(topic, p[at..]);
        _nextPacketId = _nextPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(_nextPacketId + 1);
        BinaryPrimitives.WriteUInt16BigEndian(p[at..], _nextPacketId);
        at += 2;
        p[at++] = 0; // no properties
        payload.CopyTo(p[at..]);
        _used += size;
    }

    /// <summary>Sends what is buffered.</summary>
    public void Flush()
    {
        if (_used == 0)
        {
            return;
        }

        BeforeSend?.Invoke();
        int sent = 0;
        while (sent < _used)
        {
            sent += _socket.Send(_out, sent, _used - sent, SocketFlags.None);
        }

        _used = 0;
    }

    /// <summary>Sends what is buffered and waits until every publish was acknowledged (or the connection ended).</summary>
    public async Task DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Flush();
        DateTime deadline = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _inFlight) > 0 && !_receiving.IsCompleted)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Volatile.Read(ref _inFlight)} publishes were not acknowledged within {timeout}");
            }

            await Task.Delay(5, cancellationToken);
        }

        if (_receiving.IsFaulted)
        {
            await _receiving;
        }
    }

    /// <summary>Publishes that may be unacknowledged at once.</summary>
    public int WindowSize { get; }

    /// <summary>Sends DISCONNECT (normal) and closes the socket.</summary>
    public void Close()
    {
        _closing = true;
        try
        {
            Flush();
            _socket.Send([Disconnect, 0]);
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Closing anyway.
        }
    }

    public void Dispose()
    {
        _closing = true;
        _socket.Dispose();
        _roomMade.Dispose();
    }

    private void ReceiveLoop()
    {
        byte[] buffer = new byte[64 * 1024];
        int start = 0;
        int end = 0;
        try
        {
            while (true)
            {
                int read = _socket.Receive(buffer, end, buffer.Length - end, SocketFlags.None);
                if (read == 0)
                {
                    if (!_closing)
                    {
                        Fail("the broker closed the connection");
                    }

                    return;
                }

                end += read;
                int released = 0;
                while (TryPacket(buffer.AsSpan(start, end - start), out byte type, out ReadOnlySpan<byte> body, out int length))
                {
                    switch (type & 0xF0)
                    {
                        case PubAck:
                            // Remaining length 2: success; otherwise a reason code follows the packet id.
                            byte reason = body.Length > 2 ? body[2] : (byte)0;
                            if (reason < 0x80)
                            {
                                Interlocked.Increment(ref _acked);
                            }
                            else
                            {
                                Interlocked.Increment(ref _failed);
                                _firstFailure ??= $"PUBACK reason code 0x{reason:x2}";
                            }

                            released++;
                            break;
                        case PingResp:
                            break;
                        case Disconnect:
                            Fail($"the broker disconnected (reason code 0x{(body.Length > 0 ? body[0] : 0):x2})");
                            return;
                        default:
                            Fail($"unexpected packet 0x{type:x2} from the broker");
                            return;
                    }

                    start += length;
                }

                if (released > 0)
                {
                    Interlocked.Add(ref _inFlight, -released);
                    if (_waitingForRoom)
                    {
                        _roomMade.Set();
                    }
                }

                if (start == end)
                {
                    start = end = 0;
                }
                else if (end == buffer.Length)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (!_closing)
            {
                Fail(ex.Message);
            }
        }
    }

    private void Fail(string reason)
    {
        _firstFailure ??= reason;

        // Whatever was in flight is lost to this connection: count it as failed and free the sender.
        Interlocked.Add(ref _failed, Interlocked.Exchange(ref _inFlight, 0));
        _roomMade.Set();
    }

    /// <summary>The first whole packet in <paramref name="data"/>: its type byte, its body and its length in all.</summary>
    private static bool TryPacket(ReadOnlySpan<byte> data, out byte type, out ReadOnlySpan<byte> body, out int length)
    {
        type = 0;
        body = default;
        length = 0;
        if (data.IsEmpty || !TryReadVarInt(data[1..], out int remaining, out int size) || data.Length < 1 + size + remaining)
        {
            return false;
        }

        type = data[0];
        body = data.Slice(1 + size, remaining);
        length = 1 + size + remaining;
        return true;
    }

    /// <summary>An MQTT variable byte integer at the start of <paramref name="data"/>; false while it is not all there.</summary>
    private static bool TryReadVarInt(ReadOnlySpan<byte> data, out int value, out int size)
    {
        value = 0;
        for (size = 0; size < data.Length; size++)
        {
            if (size == 4)
            {
                throw new InvalidOperationException("malformed variable byte integer from the broker");
            }

            byte b = data[size];
            value |= (b & 0x7F) << (7 * size);
            if ((b & 0x80) == 0)
            {
                size++;
                return true;
            }
        }

        return false;
    }

    /// <summary>The Receive Maximum among CONNACK's properties, if the broker gave one.</summary>
    private static int? ReceiveMaximum(ReadOnlySpan<byte> properties)
    {
        if (!TryReadVarInt(properties, out int length, out int size))
        {
            return null;
        }

        ReadOnlySpan<byte> p = properties.Slice(size, Math.Min(length, properties.Length - size));
        int i = 0;
        while (i < p.Length)
        {
            byte id = p[i++];
            switch (id)
            {
                case 0x21:
                    return BinaryPrimitives.ReadUInt16BigEndian(p[i..]);
                case 0x24 or 0x25 or 0x28 or 0x29 or 0x2A:
                    i += 1;
                    break;
                case 0x13 or 0x22:
                    i += 2;
                    break;
                case 0x11 or 0x27:
                    i += 4;
                    break;
                case 0x12 or 0x15 or 0x16 or 0x1A or 0x1C or 0x1F:
                    i += 2 + BinaryPrimitives.ReadUInt16BigEndian(p[i..]);
                    break;
                case 0x26:
                    i += 2 + BinaryPrimitives.ReadUInt16BigEndian(p[i..]);
                    i += 2 + BinaryPrimitives.ReadUInt16BigEndian(p[i..]);
                    break;
                default:
                    return null;
            }
        }

        return null;
    }

    private static byte[] ConnectPacket(string clientId)
    {
        byte[] id = Encoding.UTF8.GetBytes(clientId);

        // Variable header: protocol name "MQTT", level 5, flags (clean start), keep alive 0 (off: the
        // publisher is never idle while it runs), no properties; payload: the client id, no properties.
        int remaining = 6 + 1 + 1 + 2 + 1 + 2 + id.Length;
        byte[] packet = new byte[1 + VarIntSize(remaining) + remaining];
        int at = 0;
        packet[at++] = 0x10;
        at += WriteVarInt(packet.AsSpan(at), remaining);
        "\0\u0004MQTT"u8.CopyTo(packet.AsSpan(at));
        at += 6;
        packet[at++] = 5;
        packet[at++] = 0x02;
        packet[at++] = 0;
        packet[at++] = 0;
        packet[at++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(at), (ushort)id.Length);
        at += 2;
        id.CopyTo(packet.AsSpan(at));
        return packet;
    }

    private static int VarIntSize(int value) => value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;

    private static int WriteVarInt(Span<byte> into, int value)
    {
        int at = 0;
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            into[at++] = value > 0 ? (byte)(b | 0x80) : b;
        }
        while (value > 0);
        return at;
    }
}
