using TwinCity.Grains.Interfaces.Devices;

namespace TwinCity.Grains.Devices;

[GenerateSerializer, Alias("twincity.device-state")]
public sealed class DeviceGrainState
{
    [Id(0)] public DeviceRegistration? Registration { get; set; }
}
