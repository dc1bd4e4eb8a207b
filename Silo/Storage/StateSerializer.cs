using System.Buffers;
using Orleans.Serialization;
using Orleans.Storage;

namespace TwinCity.Silo.Storage;

/// <summary>How a cluster writes grain states to PostgreSQL (<c>Storage:StateFormat</c>).</summary>
public enum StateFormat
{
    /// <summary>Orleans' binary form, the one grain calls and the embedded city's storage use.</summary>
    Binary,

    /// <summary>Orleans' default for grain storage: JSON with .NET type names, as builds before the binary form wrote.</summary>
    Json,
}

/// <summary>
/// The serializer of the cluster's grain storage providers. It writes states in the configured
/// <see cref="StateFormat"/> and reads both: a binary state starts with <see cref="BinaryMarker"/>,
/// a byte JSON text never starts with, and anything else goes to the JSON serializer.
/// </summary>
/// <remarks>
/// A twin's snapshot as JSON with type names is about 560 bytes, and reading it back was one of
/// the larger costs of waking a city's twins; the binary form is a fraction of both. Because reads
/// take both forms, a cluster whose rows were written as JSON by an earlier build needs no
/// migration: each row turns binary the next time its grain writes it. A rolling upgrade from
/// such a build first runs the new silos with <c>Storage:StateFormat=Json</c>, so that silos of the
/// earlier build (which read JSON only) never meet a binary row, and switches to binary with a
/// second rolling restart once every silo reads both.
/// </remarks>
public sealed class StateSerializer(Serializer binary, IGrainStorageSerializer json, StateFormat writes) : IGrainStorageSerializer
{
    /// <summary>The first byte of a state in the binary form (version 1 of this layout: the marker, then Orleans' encoding of the state).</summary>
    public const byte BinaryMarker = 0x01;

    public BinaryData Serialize<T>(T? input)
    {
        if (writes == StateFormat.Json)
        {
            return json.Serialize(input);
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.GetSpan(1)[0] = BinaryMarker;
        buffer.Advance(1);
        binary.Serialize(input, buffer);
        return new BinaryData(buffer.WrittenMemory);
    }

    public T? Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ReadOnlyMemory<byte> data = input.ToMemory();
        return !data.IsEmpty && data.Span[0] == BinaryMarker
            ? binary.Deserialize<T>(data[1..])
            : json.Deserialize<T>(input);
    }
}
