using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using TwinCity.Grains.Interfaces.Devices;

namespace TwinCity.Grains.Devices;

/// <summary>
/// Reads a device's registration from the registry store, where <see cref="DeviceGrain"/> writes it
/// before it answers a registration. Waking the grain to read it would cost an activation, a
/// directory entry made and dropped (in a cluster, messages to the silo that keeps that part of the
/// directory) and the same read; in a cluster the store gathers reads of many devices into one query.
/// </summary>
public sealed class StoredDeviceRegistrations(
    IGrainFactory grains,
    [FromKeyedServices(TwinStorage.Registry)] IGrainStorage storage) : IDeviceRegistrations
{
    public async ValueTask<DeviceRegistration?> ReadAsync(ulong devEui)
    {
        var state = new GrainState<DeviceGrainState>();
        await storage.ReadStateAsync(DeviceGrain.StateName, grains.GetDevice(devEui).GetGrainId(), state);
        return state.State?.Registration;
    }
}
