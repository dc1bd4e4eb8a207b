using TwinCity.Bench.Load;

namespace TwinCity.Bench.Publishing;

/// <summary>
/// Every "up" event of an unpaced run, written before the first publish and handed out in order.
/// The publisher shares the machine's cores with the platform it measures; writing an event's JSON
/// and codec payload costs it several microseconds, which while the clock runs would be taken from
/// the platform. Events are packed end to end in large chunks (no object per event).
/// Event k is that of device k mod N with frame counter first + k div N, as when written on the fly.
/// </summary>
public sealed class PrebuiltFrames
{
    private const int DefaultChunkBytes = 64 << 20;

    private readonly List<byte[]> _chunks = [];
    private readonly int[] _lengths;
    private int _chunk;
    private int _offset;
    private long _next;

    private PrebuiltFrames(long count) => _lengths = new int[count];

    /// <summary>How many events there are.</summary>
    public long Count => _lengths.LongLength;

    /// <summary>The bytes the events take.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Writes <paramref name="uplinks"/> events round-robin over <paramref name="city"/>, all stamped
    /// <paramref name="time"/>; <paramref name="chunkBytes"/> is the size of each block they are packed in.
    /// </summary>
    public static PrebuiltFrames Build(BenchDevice[] city, long uplinks, uint firstFCnt, DateTime time, int chunkBytes = DefaultChunkBytes)
    {
        ArgumentNullException.ThrowIfNull(city);
        ArgumentOutOfRangeException.ThrowIfZero(city.Length);
        ArgumentOutOfRangeException.ThrowIfNegative(uplinks);
        var frames = new PrebuiltFrames(uplinks);
        using var writer = new UplinkWriter();
        byte[] chunk = [];
        int used = 0;
        for (long k = 0; k < uplinks; k++)
        {
            ReadOnlySpan<byte> frame = writer.Write(city[k % city.Length], firstFCnt + (uint)(k / city.Length), time);
            if (used + frame.Length > chunk.Length)
            {
                chunk = new byte[Math.Max(chunkBytes, frame.Length)];
                frames._chunks.Add(chunk);
                used = 0;
            }

            frame.CopyTo(chunk.AsSpan(used));
            used += frame.Length;
            frames._lengths[k] = frame.Length;
            frames.Bytes += frame.Length;
        }

        return frames;
    }

    /// <summary>The next event; one call per event, in order.</summary>
    public ReadOnlySpan<byte> Next()
    {
        if (_next >= _lengths.LongLength)
        {
            throw new InvalidOperationException($"all {_lengths.LongLength} events were handed out");
        }

        int length = _lengths[_next++];
        if (_offset + length > _chunks[_chunk].Length)
        {
            _chunk++;
            _offset = 0;
        }

        ReadOnlySpan<byte> frame = _chunks[_chunk].AsSpan(_offset, length);
        _offset += length;
        return frame;
    }
}
