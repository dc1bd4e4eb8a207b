using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Cells;
using TwinCity.Grains.Interfaces.Audit;
using TwinCity.Grains.Interfaces.Rules;

namespace TwinCity.Grains.Rules;

/// <summary>
/// The city's rules and routes. Every change bumps the version and tells each silo's cache at once,
/// waiting briefly for them, so that a rule put through the API is in force when the call returns.
/// </summary>
public sealed class RuleRegistryGrain : Grain, IRuleRegistryGrain
{
    private static readonly TimeSpan NotifyWait = TimeSpan.FromSeconds(2);

    private readonly IPersistentState<RuleRegistryState> _store;
    private readonly TimeProvider _time;
    private readonly ObserverSet<IRuleBookObserver> _caches;
    private RuleBook? _book;

    public RuleRegistryGrain(
        [PersistentState("rules", TwinStorage.Registry)] IPersistentState<RuleRegistryState> store,
        IOptions<RulesOptions> options,
        TimeProvider time)
    {
        _store = store;
        _time = time;
        _caches = new ObserverSet<IRuleBookObserver>(time, options.Value.CacheLease * 2);
    }

    private RuleRegistryState State => _store.State;

    public async Task<RuleDefinition> PutAsync(RuleDefinition rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        long version = State.Version + 1;
        RuleDefinition stored = rule with { Version = version, UpdatedAt = _time.GetUtcNow().UtcDateTime };
        bool existed = State.Rules.ContainsKey(rule.Id);
        State.Rules[rule.Id] = stored;
        await ChangedAsync(version);
        Audit(stored.Id, existed ? "rule.replace" : "rule.create");
        return stored;
    }

    public async Task<bool> DeleteAsync(string id)
    {
        if (!State.Rules.Remove(id))
        {
            return false;
        }

        await ChangedAsync(State.Version + 1);
        Audit(id, "rule.delete");
        return true;
    }

    public ValueTask<RuleDefinition?> GetAsync(string id) => ValueTask.FromResult(State.Rules.GetValueOrDefault(id));

    public ValueTask<RuleDefinition[]> ListAsync() => ValueTask.FromResult(State.Rules.Values.OrderBy(r => r.Id, StringComparer.Ordinal).ToArray());

    public ValueTask<RuleBook> GetBookAsync() =>
        ValueTask.FromResult(_book ??= new RuleBook(State.Version, [.. State.Rules.Values], State.Routes));

    public async Task PutRoutesAsync(RouteLine[] routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        State.Routes = routes;
        await ChangedAsync(State.Version + 1);
    }

    public Task SubscribeAsync(IRuleBookObserver observer)
    {
        _caches.Add(observer);
        return Task.CompletedTask;
    }

    private async Task ChangedAsync(long version)
    {
        State.Version = version;
        _book = null;
        await _store.WriteStateAsync();
        var told = new List<Task>();
        _caches.Notify(c => told.Add(c.RuleBookChanged(version)));
        try
        {
            await Task.WhenAll(told).WaitAsync(NotifyWait);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A silo that does not answer still reloads when its subscription ages (RulesOptions.CacheLease).
        }
    }

    private void Audit(string id, string action) =>
        ServiceProvider.GetService<IAuditLog>()?.Write(new AuditEntry(_time.GetUtcNow().UtcDateTime, "city", action, null, id, "accepted", $"rule {id} version {State.Version}"));
}
