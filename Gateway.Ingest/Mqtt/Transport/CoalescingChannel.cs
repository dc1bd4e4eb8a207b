using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace TwinCity.Gateway.Ingest.Mqtt.Transport;

/// <summary>
/// An MQTT connection that reads the socket in large blocks and writes what is queued together.
/// </summary>
/// <remarks>
/// <para>
/// MQTTnet's TCP channel makes a socket call for every read it is asked for (two or three per packet:
/// the fixed header, the length, the body) and one for every packet it writes. A broker or client
/// carrying tens of thousands of QoS 1 messages a second spends more time in those calls, most of
/// them for acknowledgements of a few bytes, than in the messages themselves. This channel serves
/// reads from a block of up to <see cref="ReadBlockBytes"/> taken from the socket at once, and writes
/// packets into a buffer that one flush at a time sends: packets written while a flush is queued or
/// under way go out together in the next. A quiet connection's packet goes out at once; on a busy
/// one (the last flush less than <see cref="BusyInterval"/> ago) a flush waits out the interval, so
/// a publisher's acknowledgements leave in hundreds rather than ones and a socket call's cost is
/// shared by them all. That delays an acknowledgement by about a millisecond, which a publisher
/// with many messages in flight does not notice.
/// </para>
/// <para>
/// A write completes when its bytes are queued, not when they are on the wire, as with a socket's own
/// send buffer: nothing in MQTT waits for its own packet to be sent, only for the other side's answer.
/// While more than <see cref="QueueLimitBytes"/> wait, a write waits for the flush, so a reader slower
/// than the writer holds the writer back instead of filling memory. When a flush fails, the connection
/// has failed: every later write throws, and the reading side sees the socket's own failure.
/// <see cref="DisconnectAsync"/> sends what is queued first.
/// </para>
/// </remarks>
public sealed class CoalescingChannel : IMqttChannel
{
    /// <summary>The most a single socket read takes.</summary>
    public const int ReadBlockBytes = 64 * 1024;

    /// <summary>Queued bytes above which a write waits for the flush.</summary>
    public const int QueueLimitBytes = 256 * 1024;

    /// <summary>Flushes closer together than this mean a busy connection, whose flushes then gather an interval's packets.</summary>
    public static readonly TimeSpan BusyInterval = TimeSpan.FromMilliseconds(1);

    private const int LingerYields = 8;
    private const int LingerBytes = 16 * 1024;

    private readonly IMqttChannel _inner;
    private readonly byte[] _block = new byte[ReadBlockBytes];
    private readonly Lock _gate = new();
    private ArrayBufferWriter<byte> _queued = new(4 * 1024);
    private ArrayBufferWriter<byte> _sending = new(4 * 1024);
    private int _blockStart;
    private int _blockEnd;
    private TaskCompletionSource _flushDone = Done();
    private bool _flushing;
    private Exception? _failure;
    private long _flushes;
    private long _lastSent;

    public CoalescingChannel(IMqttChannel inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    public X509Certificate2 ClientCertificate => _inner.ClientCertificate;

    public EndPoint RemoteEndPoint => _inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => _inner.LocalEndPoint;

    public bool IsSecureConnection => _inner.IsSecureConnection;

    /// <summary>How many writes to the inner channel were made: fewer than packets written when they coalesce.</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    public Task ConnectAsync(CancellationToken cancellationToken) => _inner.ConnectAsync(cancellationToken);

    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        Task flush;
        lock (_gate)
        {
            flush = _flushDone.Task;
        }

        try
        {
            await flush.WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The queued packets are lost with the connection; closing it is all that is left to do.
        }

        await _inner.DisconnectAsync(cancellationToken);
    }

    public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        int held = _blockEnd - _blockStart;
        if (held > 0)
        {
            return Task.FromResult(TakeFromBlock(buffer, offset, count));
        }

        return count >= ReadBlockBytes
            ? _inner.ReadAsync(buffer, offset, count, cancellationToken)
            : FillAndTakeAsync(buffer, offset, count, cancellationToken);
    }

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        Task? wait = null;
        lock (_gate)
        {
            if (_failure is not null)
            {
                return Task.FromException(new IOException("The connection failed while sending.", _failure));
            }

            foreach (ReadOnlyMemory<byte> segment in buffer)
            {
                segment.Span.CopyTo(_queued.GetSpan(segment.Length));
                _queued.Advance(segment.Length);
            }

            if (!_flushing)
            {
                _flushing = true;
                _flushDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

                // Behind the work already queued, so that what the writer writes meanwhile joins this flush.
                ThreadPool.UnsafeQueueUserWorkItem(static channel => _ = channel.FlushAsync(), this, preferLocal: false);
            }

            if (_queued.WrittenCount > QueueLimitBytes)
            {
                wait = _flushDone.Task;
            }
        }

        return wait is null ? Task.CompletedTask : WaitForFlushAsync(wait, cancellationToken);
    }

    public void Dispose() => _inner.Dispose();

    private static async Task WaitForFlushAsync(Task flush, CancellationToken cancellationToken)
    {
        try
        {
            await flush.WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new IOException("The connection failed while sending.", ex);
        }
    }

    private async Task FlushAsync()
    {
        // This flush's own: a new one is made only once this one has ended (_flushing false).
        TaskCompletionSource done;
        lock (_gate)
        {
            done = _flushDone;
        }

        while (true)
        {
            int seen = QueuedBytes();
            if (seen < LingerBytes && Stopwatch.GetElapsedTime(Volatile.Read(ref _lastSent)) < BusyInterval)
            {
                // The last flush went out less than an interval ago: the connection is busy, so what
                // it writes in the next interval goes out together, at most one flush per interval.
                await Task.Delay(BusyInterval);
                seen = LingerBytes;
            }

            // While the writer is still adding packets, let it add more before this goes out.
            for (int i = 0; i < LingerYields && seen < LingerBytes; i++)
            {
                await Task.Yield();
                int now = QueuedBytes();
                if (now == seen)
                {
                    break;
                }

                seen = now;
            }

            ArrayBufferWriter<byte> sending;
            lock (_gate)
            {
                if (_queued.WrittenCount == 0)
                {
                    _flushing = false;
                    break;
                }

                sending = _queued;
                _queued = _sending;
                _sending = sending;
            }

            try
            {
                Interlocked.Increment(ref _flushes);
                await _inner.WriteAsync(new ReadOnlySequence<byte>(sending.WrittenMemory), true, CancellationToken.None);
                Volatile.Write(ref _lastSent, Stopwatch.GetTimestamp());
                sending.ResetWrittenCount();
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    _failure = ex;
                    _flushing = false;
                    _queued.ResetWrittenCount();
                }

                done.TrySetException(ex);
                return;
            }
        }

        done.TrySetResult();
    }

    private int QueuedBytes()
    {
        lock (_gate)
        {
            return _queued.WrittenCount;
        }
    }

    private async Task<int> FillAndTakeAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        int read = await _inner.ReadAsync(_block, 0, _block.Length, cancellationToken);
        if (read <= 0)
        {
            return read;
        }

        _blockStart = 0;
        _blockEnd = read;
        return TakeFromBlock(buffer, offset, count);
    }

    private int TakeFromBlock(byte[] buffer, int offset, int count)
    {
        int taken = Math.Min(count, _blockEnd - _blockStart);
        Buffer.BlockCopy(_block, _blockStart, buffer, offset, taken);
        _blockStart += taken;
        return taken;
    }

    private static TaskCompletionSource Done()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }
}
