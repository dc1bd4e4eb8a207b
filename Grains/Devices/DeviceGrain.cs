using Orleans.Placement;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Devices;

/// <summary>
/// One device's registration, keyed by its DevEUI. It binds the device to its twin and unbinds the
/// previous twin when the device moves to another.
/// </summary>
/// <remarks>
/// A registration is read rarely (ingest caches it), so the grain does not stay in memory after a
/// call: a city of a million devices would otherwise hold a million idle activations.
/// </remarks>
// Placed on the silo that first calls it: in a cluster, the one whose ingest reads its registration.
[PreferLocalPlacement]
public sealed class DeviceGrain(
    [PersistentState(DeviceGrain.StateName, TwinStorage.Registry)] IPersistentState<DeviceGrainState> state)
    : Grain, IDeviceGrain
{
    /// <summary>The name its state is stored under (read without the grain by <see cref="StoredDeviceRegistrations"/>).</summary>
    public const string StateName = "device";

    public async Task RegisterAsync(DeviceRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ulong devEui = unchecked((ulong)this.GetPrimaryKeyLong());
        if (registration.DevEui != devEui)
        {
            throw new ArgumentException("The registration is for another DevEUI", nameof(registration));
        }

        DeactivateOnIdle();
        DeviceRegistration? previous = state.State.Registration;
        registration = registration with { Revision = Math.Max(DateTime.UtcNow.Ticks, (previous?.Revision ?? 0) + 1) };
        if (previous is not null && (previous.Kind != registration.Kind || previous.TwinId != registration.TwinId))
        {
            await GrainFactory.GetTwin(previous.Kind, previous.TwinId).UnbindAsync(devEui);
        }

        state.State.Registration = registration;
        await state.WriteStateAsync();
        await GrainFactory.GetTwin(registration.Kind, registration.TwinId).ProvisionAsync(new TwinProvision(
            devEui,
            registration.Name,
            registration.Position,
            registration.ReportingIntervalSeconds,
            registration.Route,
            registration.Codec,
            registration.Revision));
    }

    public ValueTask<DeviceRegistration?> GetAsync()
    {
        DeactivateOnIdle();
        return ValueTask.FromResult(state.State.Registration);
    }

    public async Task NoteNetworkDeviceIdAsync(string deviceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        DeactivateOnIdle();
        if (state.State.Registration is null || string.Equals(state.State.NetworkDeviceId, deviceId, StringComparison.Ordinal))
        {
            return;
        }

        state.State.NetworkDeviceId = deviceId;
        await state.WriteStateAsync();
    }

    public async Task<bool> DeleteAsync()
    {
        DeviceRegistration? registration = state.State.Registration;
        if (registration is null)
        {
            return false;
        }

        await GrainFactory.GetTwin(registration.Kind, registration.TwinId).UnbindAsync(registration.DevEui);
        await state.ClearStateAsync();
        DeactivateOnIdle();
        return true;
    }
}
