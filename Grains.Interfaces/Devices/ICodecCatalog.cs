using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Devices;

/// <summary>The payload codecs ingest knows, so that a registration naming an unknown one is refused up front.</summary>
public interface ICodecCatalog
{
    IEnumerable<string> Names { get; }

    bool Supports(string codec, TwinKind kind);
}
