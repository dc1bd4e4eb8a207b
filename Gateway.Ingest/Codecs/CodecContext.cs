using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>What a codec knows of the device it decodes for.</summary>
/// <param name="Kind">The twin kind the device is registered as.</param>
/// <param name="Mapping">
/// The registration's name mapping: a device-side name (for Cayenne LPP "{type}_{channel}", such as
/// "digital_output_1" or "temperature_3") to a twin property name from API.md ("on", "dimLevel", ...).
/// </param>
public readonly record struct CodecContext(TwinKind Kind, IReadOnlyDictionary<string, string>? Mapping = null);
