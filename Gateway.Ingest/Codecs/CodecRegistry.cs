using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>Finds a codec by the name a device registration gives.</summary>
public sealed class CodecRegistry : ICodecCatalog
{
    private readonly FrozenDictionary<string, IPayloadCodec> _codecs;

    public CodecRegistry(IEnumerable<IPayloadCodec> codecs)
    {
        _codecs = codecs.ToFrozenDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every codec the platform ships.</summary>
    public static CodecRegistry Default { get; } = new(BuiltInCodecs.All);

    public IEnumerable<string> Names => _codecs.Keys;

    public bool Supports(string codec, TwinKind kind) => TryGet(codec, out IPayloadCodec? c) && c.Supports(kind);

    public bool TryGet(string? name, [NotNullWhen(true)] out IPayloadCodec? codec)
    {
        codec = null;
        return name is not null && _codecs.TryGetValue(name, out codec);
    }
}
