namespace TwinCity.Grains.Interfaces.Devices;

/// <summary>The registration of one device, keyed by its DevEUI (as a 64-bit integer).</summary>
[Alias("twincity.IDeviceGrain")]
public interface IDeviceGrain : IGrainWithIntegerKey
{
    /// <summary>Registers or updates the device and binds it to its twin.</summary>
    [Alias("Register")]
    Task RegisterAsync(DeviceRegistration registration);

    [Alias("Get")]
    ValueTask<DeviceRegistration?> GetAsync();

    /// <summary>
    /// Records the name the network server gives the device in its topics where that is not its
    /// DevEUI (The Things Stack's device id), so that a cluster's silos wake the device's twin where
    /// its uplinks are applied. Nothing is recorded for a device that is not registered.
    /// </summary>
    [Alias("NoteNetworkDeviceId")]
    Task NoteNetworkDeviceIdAsync(string deviceId);

    /// <summary>Removes the registration and unbinds the twin; false when there was none.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync();
}
