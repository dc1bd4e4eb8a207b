using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>
/// Answers whether a twin exists from the registry store (the entry a twin writes when first
/// provisioned), and for twins provisioned before those entries were kept, from the twin's snapshot,
/// which a cluster writes at provisioning. Neither read wakes the twin.
/// </summary>
public sealed class StoredTwinDirectory(
    IGrainFactory grains,
    [FromKeyedServices(TwinStorage.Registry)] IGrainStorage registry,
    [FromKeyedServices(TwinStorage.Name)] IGrainStorage snapshots) : ITwinDirectory
{
    /// <summary>The name the entries are stored under, beside each twin's grain id.</summary>
    public const string StateName = "twin-entry";

    public async ValueTask<bool> ExistsAsync(TwinKey key)
    {
        GrainId id = grains.GetTwin(key.Kind, key.Id).GetGrainId();
        var entry = new GrainState<TwinDirectoryEntry>();
        await registry.ReadStateAsync(StateName, id, entry);
        if (entry.RecordExists)
        {
            return true;
        }

        return key.Kind switch
        {
            TwinKind.Streetlight => await SnapshotExistsAsync<StreetlightState>(id),
            TwinKind.WaterMeter => await SnapshotExistsAsync<WaterMeterState>(id),
            TwinKind.RoadSensor => await SnapshotExistsAsync<RoadSensorState>(id),
            TwinKind.Bus => await SnapshotExistsAsync<BusState>(id),
            _ => false,
        };
    }

    /// <summary>Writes the entry for a twin that has just been provisioned for the first time (its own grain calls this).</summary>
    internal async Task AddAsync(GrainId twin)
    {
        var entry = new GrainState<TwinDirectoryEntry>();
        await registry.ReadStateAsync(StateName, twin, entry);
        if (!entry.RecordExists)
        {
            entry.State = new TwinDirectoryEntry();
            await registry.WriteStateAsync(StateName, twin, entry);
        }
    }

    private async Task<bool> SnapshotExistsAsync<TState>(GrainId id)
        where TState : TwinState, new()
    {
        var state = new GrainState<TState>();
        await snapshots.ReadStateAsync(TwinGrain<TState>.StateName, id, state);
        return state.RecordExists && state.State is { } s && (s.Provisioned || s.Version > 0);
    }
}
