namespace TwinCity.Grains.Interfaces.Devices;

/// <summary>
/// Device registrations as their grains last stored them, read without waking the grains: ingest
/// reads one for every device it has not seen, and after a restart that is every device at once.
/// The registration grain stays the only writer.
/// </summary>
public interface IDeviceRegistrations
{
    /// <summary>The registration of <paramref name="devEui"/>, or null when the device is not registered.</summary>
    ValueTask<DeviceRegistration?> ReadAsync(ulong devEui);
}
