namespace TwinCity.Grains.Interfaces.Devices;

public static class DeviceGrains
{
    /// <summary>The registration grain of <paramref name="devEui"/>; ingest asks for it (or for its stored state) with a device's first uplink after a start.</summary>
    public static IDeviceGrain GetDevice(this IGrainFactory grains, ulong devEui) =>
        grains.Grain<IDeviceGrain>(unchecked((long)devEui));
}
