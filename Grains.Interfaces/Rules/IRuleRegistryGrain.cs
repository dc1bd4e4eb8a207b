namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>
/// The city's rules and bus routes (one grain, key 0). Silos cache them and are told of each change,
/// so that twins evaluate rules from memory.
/// </summary>
[Alias("twincity.IRuleRegistryGrain")]
public interface IRuleRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Creates or replaces a rule; returns it as stored (with its version).</summary>
    [Alias("Put")]
    Task<RuleDefinition> PutAsync(RuleDefinition rule);

    [Alias("Delete")]
    Task<bool> DeleteAsync(string id);

    [Alias("Get")]
    ValueTask<RuleDefinition?> GetAsync(string id);

    [Alias("List")]
    ValueTask<RuleDefinition[]> ListAsync();

    [Alias("GetBook")]
    ValueTask<RuleBook> GetBookAsync();

    /// <summary>Replaces the bus routes (the seed city's routes, or a city's own).</summary>
    [Alias("PutRoutes")]
    Task PutRoutesAsync(RouteLine[] routes);

    /// <summary>Registers (or refreshes) a silo's cache; caches not refreshed within the lease are dropped.</summary>
    [Alias("Subscribe")]
    Task SubscribeAsync(IRuleBookObserver observer);
}
