using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>
/// What ingest needs of a device's registration to route and decode its uplinks: the twin it feeds,
/// how to decode it, and which revision of the registration that was. Each silo keeps one for every
/// device it hears, so the name, position and the rest of the registration stay with the device grain.
/// A value rather than an object, held inline in <see cref="DeviceDirectory"/>'s entries.
/// </summary>
public readonly record struct DeviceRoute(
    TwinKind Kind,
    string TwinId,
    string Codec,
    IReadOnlyDictionary<string, string>? Mapping,
    long Revision)
{
    /// <summary>The route of <paramref name="registration"/>; its codec name is the shared copy.</summary>
    public static DeviceRoute Of(DeviceRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return new DeviceRoute(registration.Kind, registration.TwinId, SharedStrings.Get(registration.Codec)!, registration.Mapping, registration.Revision);
    }
}
