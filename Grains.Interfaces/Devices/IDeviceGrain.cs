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

    /// <summary>Removes the registration and unbinds the twin; false when there was none.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync();
}
