namespace TwinCity.Grains.Interfaces;

/// <summary>
/// Grain references for the hot paths. <c>GetGrain&lt;T&gt;(key)</c> works out the grain interface's
/// type from the interface's attributes by reflection, and formats its name, on every call; ingest
/// and the twins ask for a twin or a cell grain with every uplink. Here each interface's grain type
/// and interface type are taken from its first reference and reused: they are the same for every
/// key, silo and client of a process (one implementation per interface, no class-name prefix).
/// </summary>
public static class GrainLookup
{
    public static T Grain<T>(this IGrainFactory grains, string key)
        where T : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return Types<T>.Resolved is { } types
            ? (T)grains.GetGrain(GrainId.Create(types.GrainType, IdSpan.Create(key)), types.InterfaceType)
            : Remember(grains.GetGrain<T>(key));
    }

    public static T Grain<T>(this IGrainFactory grains, long key)
        where T : IGrainWithIntegerKey
    {
        ArgumentNullException.ThrowIfNull(grains);
        return Types<T>.Resolved is { } types
            ? (T)grains.GetGrain(GrainId.Create(types.GrainType, GrainIdKeyExtensions.CreateIntegerKey(key)), types.InterfaceType)
            : Remember(grains.GetGrain<T>(key));
    }

    /// <summary>
    /// The grain <paramref name="grainId"/> seen through interface <typeparamref name="T"/>, for an
    /// interface several grain classes implement (the id names the class).
    /// </summary>
    public static T Grain<T>(this IGrainFactory grains, GrainId grainId)
        where T : IAddressable
    {
        ArgumentNullException.ThrowIfNull(grains);
        if (InterfaceTypes<T>.Resolved is { } resolved)
        {
            return (T)grains.GetGrain(grainId, resolved.InterfaceType);
        }

        T grain = grains.GetGrain<T>(grainId);
        if (grain is GrainReference reference)
        {
            InterfaceTypes<T>.Resolved = new ResolvedInterface(reference.InterfaceType);
        }

        return grain;
    }

    private static T Remember<T>(T grain)
    {
        if (grain is GrainReference reference)
        {
            Types<T>.Resolved = new ResolvedTypes(reference.GrainId.Type, reference.InterfaceType);
        }

        return grain;
    }

    private sealed record ResolvedInterface(GrainInterfaceType InterfaceType);

    private sealed record ResolvedTypes(GrainType GrainType, GrainInterfaceType InterfaceType);

    private static class InterfaceTypes<T>
    {
        // Written once, read without a lock: a reader that sees null resolves the type itself.
        public static volatile ResolvedInterface? Resolved;
    }

    private static class Types<T>
    {
        // Written once, read without a lock: a reader that sees null resolves the types itself.
        public static volatile ResolvedTypes? Resolved;
    }
}
