using TwinCity.Grains.Interfaces.Devices;

namespace TwinCity.Grains.Devices;

[GenerateSerializer, Alias("twincity.device-state")]
public sealed class DeviceGrainState
{
    [Id(0)] public DeviceRegistration? Registration { get; set; }

    /// <summary>
    /// The name the network server gives the device in its topics where that is not its DevEUI (The
    /// Things Stack's device id), as the device's twin learnt it from an uplink; null until then. A
    /// cluster places the device's uplinks by that name, and wakes its twin on the same silo by it.
    /// </summary>
    [Id(1)] public string? NetworkDeviceId { get; set; }
}
