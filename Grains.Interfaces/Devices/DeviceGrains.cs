namespace TwinCity.Grains.Interfaces.Devices;

public static class DeviceGrains
{
    public static IDeviceGrain GetDevice(this IGrainFactory grains, ulong devEui) =>
        grains.GetGrain<IDeviceGrain>(unchecked((long)devEui));
}
