using System.Buffers;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// Where ingest keeps a message's payload from the moment MQTTnet hands it over until its twin has
/// it (the broker handoff and the MQTT consumer alike). MQTTnet's buffer is not ours to keep. While
/// the twins keep up a copy lasts a few milliseconds, but when they fall behind the lanes hold
/// thousands, which would otherwise be copied through the young generations; pooled, they stay put
/// and are reused.
/// </summary>
internal static class PayloadBuffers
{
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 64 * 1024, maxArraysPerBucket: 4096);

    /// <summary>A pooled copy of <paramref name="payload"/>: its first <paramref name="length"/> bytes. Give it back with <see cref="Return"/>.</summary>
    public static byte[] Copy(in ReadOnlySequence<byte> payload, out int length)
    {
        length = checked((int)payload.Length);
        byte[] buffer = Pool.Rent(length);
        payload.CopyTo(buffer);
        return buffer;
    }

    public static void Return(byte[] buffer) => Pool.Return(buffer);
}
