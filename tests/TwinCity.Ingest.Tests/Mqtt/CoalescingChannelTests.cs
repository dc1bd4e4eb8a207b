using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;
using TwinCity.Gateway.Ingest.Mqtt.Transport;

namespace TwinCity.Ingest.Tests.Mqtt;

public sealed class CoalescingChannelTests
{
    [Fact]
    public async Task Small_reads_are_served_from_one_block_read_from_the_socket()
    {
        byte[] sent = [.. Enumerable.Range(0, 1000).Select(i => (byte)i)];
        var inner = new ScriptedChannel();
        inner.Incoming.Enqueue(sent);
        var channel = new CoalescingChannel(inner);

        var received = new List<byte>();
        var buffer = new byte[7];
        while (received.Count < sent.Length)
        {
            int read = await channel.ReadAsync(buffer, 0, buffer.Length, CancellationToken.None);
            Assert.InRange(read, 1, buffer.Length);
            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        Assert.Equal(sent, received);
        Assert.Equal(1, inner.Reads);
    }

    [Fact]
    public async Task The_end_of_the_stream_reads_as_zero_once_what_was_held_is_read()
    {
        var inner = new ScriptedChannel();
        inner.Incoming.Enqueue([1, 2, 3]);
        var channel = new CoalescingChannel(inner);
        var buffer = new byte[2];

        Assert.Equal(2, await channel.ReadAsync(buffer, 0, 2, CancellationToken.None));
        Assert.Equal(1, await channel.ReadAsync(buffer, 0, 2, CancellationToken.None));
        Assert.Equal(3, buffer[0]);
        Assert.Equal(0, await channel.ReadAsync(buffer, 0, 2, CancellationToken.None));
    }

    [Fact]
    public async Task Packets_written_back_to_back_go_out_together_and_in_order()
    {
        var inner = new ScriptedChannel();
        var channel = new CoalescingChannel(inner);
        var expected = new List<byte>();

        // Written from one work item, as a broker's send loop writes what it has queued.
        await Task.Run(async () =>
        {
            for (int i = 0; i < 500; i++)
            {
                byte[] packet = [0x40, 0x02, (byte)(i >> 8), (byte)i];
                expected.AddRange(packet);
                await channel.WriteAsync(new ReadOnlySequence<byte>(packet), true, CancellationToken.None);
            }
        });
        await channel.DisconnectAsync(CancellationToken.None);

        Assert.Equal(expected, inner.Written);
        Assert.InRange(inner.Writes, 1, 499);
        Assert.Equal(inner.Writes, channel.Flushes);
    }

    [Fact]
    public async Task A_packet_in_several_segments_arrives_whole()
    {
        var inner = new ScriptedChannel();
        var channel = new CoalescingChannel(inner);
        var first = new Segment(new byte[] { 1, 2, 3 });
        Segment last = first.Append(new byte[] { 4, 5 }).Append(new byte[] { 6 });

        await channel.WriteAsync(new ReadOnlySequence<byte>(first, 0, last, 1), true, CancellationToken.None);
        await channel.DisconnectAsync(CancellationToken.None);

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, inner.Written);
    }

    [Fact]
    public async Task Disconnecting_sends_what_is_queued_before_the_connection_closes()
    {
        var inner = new ScriptedChannel { WriteGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var channel = new CoalescingChannel(inner);
        await channel.WriteAsync(new ReadOnlySequence<byte>(new byte[] { 0xE0, 0x00 }), true, CancellationToken.None);

        Task disconnect = channel.DisconnectAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(disconnect.IsCompleted);
        Assert.False(inner.Disconnected);

        inner.WriteGate.SetResult();
        await disconnect;
        Assert.Equal(new byte[] { 0xE0, 0x00 }, inner.Written);
        Assert.True(inner.Disconnected);
    }

    [Fact]
    public async Task After_a_failed_send_every_write_fails()
    {
        var inner = new ScriptedChannel { WriteFailure = new IOException("connection reset") };
        var channel = new CoalescingChannel(inner);
        await channel.WriteAsync(new ReadOnlySequence<byte>(new byte[] { 0x40, 0x02, 0, 1 }), true, CancellationToken.None);

        var failure = await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                await Task.Delay(10);
                await channel.WriteAsync(new ReadOnlySequence<byte>(new byte[] { 0x40, 0x02, 0, 2 }), true, CancellationToken.None);
            }
        });
        Assert.Same(inner.WriteFailure, failure.InnerException);
    }

    [Fact]
    public async Task A_writer_waits_while_more_than_the_limit_is_queued()
    {
        var inner = new ScriptedChannel { WriteGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var channel = new CoalescingChannel(inner);
        byte[] packet = new byte[16 * 1024];

        // The first packet's flush reaches the socket and stays there: what follows is queued behind it.
        await channel.WriteAsync(new ReadOnlySequence<byte>(packet), true, CancellationToken.None);
        long deadline = Environment.TickCount64 + 10_000;
        while (inner.StartedBytes < packet.Length && Environment.TickCount64 < deadline)
        {
            await Task.Delay(5);
        }

        Assert.Equal(packet.Length, inner.StartedBytes);

        Task last = Task.CompletedTask;
        int queued = 0;
        while (queued <= CoalescingChannel.QueueLimitBytes * 2)
        {
            last = channel.WriteAsync(new ReadOnlySequence<byte>(packet), true, CancellationToken.None);
            queued += packet.Length;
            if (!last.IsCompleted)
            {
                break;
            }
        }

        // The first write that takes the queue over the limit is the one that waits.
        Assert.False(last.IsCompleted);
        Assert.InRange(queued, CoalescingChannel.QueueLimitBytes + 1, CoalescingChannel.QueueLimitBytes + packet.Length);

        inner.WriteGate.SetResult();
        await last.WaitAsync(TimeSpan.FromSeconds(10));
        await channel.DisconnectAsync(CancellationToken.None);
        Assert.Equal(packet.Length + queued, inner.Written.Count);
    }

    /// <summary>A connection whose reads return what is queued and whose writes are recorded.</summary>
    private sealed class ScriptedChannel : IMqttChannel
    {
        private readonly Lock _lock = new();
        private long _started;

        public Queue<byte[]> Incoming { get; } = new();

        public List<byte> Written { get; } = [];

        public int Reads { get; private set; }

        public int Writes { get; private set; }

        /// <summary>Bytes of the writes that were started, including one still waiting at <see cref="WriteGate"/>.</summary>
        public long StartedBytes => Interlocked.Read(ref _started);

        public bool Disconnected { get; private set; }

        public TaskCompletionSource? WriteGate { get; init; }

        public Exception? WriteFailure { get; init; }

        public X509Certificate2 ClientCertificate => null!;

        public EndPoint RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1);

        public EndPoint LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 2);

        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DisconnectAsync(CancellationToken cancellationToken)
        {
            Disconnected = true;
            return Task.CompletedTask;
        }

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Reads++;
            if (!Incoming.TryDequeue(out byte[]? next))
            {
                return Task.FromResult(0);
            }

            Assert.True(next.Length <= count, "the test's block must fit the read");
            next.CopyTo(buffer, offset);
            return Task.FromResult(next.Length);
        }

        public async Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _started, buffer.Length);
            if (WriteGate is not null)
            {
                await WriteGate.Task;
            }

            if (WriteFailure is not null)
            {
                throw WriteFailure;
            }

            lock (_lock)
            {
                Writes++;
                Written.AddRange(buffer.ToArray());
            }
        }

        public void Dispose()
        {
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
