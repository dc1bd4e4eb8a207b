using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>
/// Decodes a device's raw LoRaWAN application payload into twin readings. Implementations are
/// stateless and thread-safe; they read from a span and never throw on bad input: a frame they
/// cannot read is a <see cref="DecodeResult.Fail"/> with the reason, which ingest dead-letters.
/// </summary>
public interface IPayloadCodec
{
    /// <summary>The name used in device registrations, e.g. "dragino-lgt92".</summary>
    string Name { get; }

    /// <summary>Whether this codec can feed twins of <paramref name="kind"/>.</summary>
    bool Supports(TwinKind kind);

    /// <summary>Decodes <paramref name="payload"/> received on <paramref name="fPort"/>, appending readings to <paramref name="output"/>.</summary>
    DecodeResult Decode(ReadOnlySpan<byte> payload, int fPort, in CodecContext context, List<Reading> output);
}
