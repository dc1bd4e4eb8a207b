namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>Finds the grain of a twin by kind and id.</summary>
public static class TwinGrains
{
    // GetGrain<T>(string) resolves the grain interface's type from its attributes by reflection on
    // every call, and ingest asks for a twin on every uplink: each kind's grain type and interface
    // type are taken from its first reference instead (the same for every silo and client in a process).
    private static readonly TwinTypes?[] Resolved = new TwinTypes?[4];

    public static ITwinGrain GetTwin(this IGrainFactory grains, TwinKind kind, string id)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        int index = (int)kind;
        if ((uint)index < (uint)Resolved.Length && Volatile.Read(ref Resolved[index]) is { } types)
        {
            return (ITwinGrain)grains.GetGrain(GrainId.Create(types.GrainType, IdSpan.Create(id)), types.InterfaceType);
        }

        ITwinGrain twin = kind switch
        {
            TwinKind.Streetlight => grains.GetGrain<IStreetlightGrain>(id),
            TwinKind.WaterMeter => grains.GetGrain<IWaterMeterGrain>(id),
            TwinKind.RoadSensor => grains.GetGrain<IRoadSensorGrain>(id),
            TwinKind.Bus => grains.GetGrain<IBusGrain>(id),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        if (twin is GrainReference reference)
        {
            Volatile.Write(ref Resolved[index], new TwinTypes(reference.GrainId.Type, reference.InterfaceType));
        }

        return twin;
    }

    private sealed record TwinTypes(GrainType GrainType, GrainInterfaceType InterfaceType);
}
