using System.Buffers;
using System.Text.Json;

namespace TwinCity.Bench.Load;

/// <summary>
/// Writes "up" events one after another with one JSON writer and buffer: the publisher writes
/// millions, and a writer and buffer of their own for each would cost it more than the rest of the event.
/// </summary>
public sealed class UplinkWriter : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;

    public UplinkWriter() => _writer = new Utf8JsonWriter(_buffer);

    /// <summary>The event of frame <paramref name="fCnt"/> of <paramref name="device"/>; valid until the next call.</summary>
    public ReadOnlySpan<byte> Write(BenchDevice device, uint fCnt, DateTime time)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        UplinkFactory.WriteUp(_writer, device, fCnt, time);
        return _buffer.WrittenSpan;
    }

    public void Dispose() => _writer.Dispose();
}
