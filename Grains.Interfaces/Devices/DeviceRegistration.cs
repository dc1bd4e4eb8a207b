using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Devices;

/// <summary>A device bound to one twin: what ingest needs to route and decode its uplinks.</summary>
/// <param name="Mapping">
/// Optional names from the device's own payload (Cayenne LPP channels such as "temperature_3", or
/// keys of the network server's decoded object) to twin property names.
/// </param>
/// <param name="Revision">
/// Set by the device grain on every registration, always higher than the one before. Ingest caches
/// registrations for long; the twin, provisioned with the same revision, refuses an uplink routed by
/// an older one, which sends ingest back to read the registration afresh.
/// </param>
[GenerateSerializer, Immutable, Alias("twincity.device-registration")]
public sealed record DeviceRegistration(
    [property: Id(0)] ulong DevEui,
    [property: Id(1)] TwinKind Kind,
    [property: Id(2)] string TwinId,
    [property: Id(3)] string Name,
    [property: Id(4)] GeoPoint Position,
    [property: Id(5)] string Codec,
    [property: Id(6)] int ReportingIntervalSeconds,
    [property: Id(7)] string? Route = null,
    [property: Id(8)] IReadOnlyDictionary<string, string>? Mapping = null,
    [property: Id(9)] DateTime RegisteredAt = default,
    [property: Id(10)] long Revision = 0);
