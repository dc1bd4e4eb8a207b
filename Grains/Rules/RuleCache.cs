using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Rules;

/// <summary>
/// This silo's copy of the rules and routes, indexed by the kind each rule watches. Twins read it from
/// memory on every change; the registry tells it when the rules change and it loads them again on the
/// next use. Nothing polls: an unused silo asks again only when it next evaluates a rule after its
/// subscription aged.
/// </summary>
public sealed partial class RuleCache : IRuleBookObserver
{
    private static readonly RuleDefinition[] None = [];

    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly RulesOptions _options;
    private readonly ILogger<RuleCache> _logger;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private IRuleBookObserver? _reference;
    private volatile Loaded? _loaded;
    private long _notified;

    public RuleCache(IGrainFactory grains, TimeProvider time, IOptions<RulesOptions> options, ILogger<RuleCache> logger)
    {
        _grains = grains;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The rules that watch twins of <paramref name="kind"/>.</summary>
    public async ValueTask<RuleDefinition[]> ForKindAsync(TwinKind kind)
    {
        Loaded loaded = await CurrentAsync();
        return loaded.ByKind.TryGetValue(kind, out RuleDefinition[]? rules) ? rules : None;
    }

    /// <summary>A bus route's path by id, or null.</summary>
    public async ValueTask<RouteLine?> RouteAsync(string route)
    {
        Loaded loaded = await CurrentAsync();
        return loaded.Routes.GetValueOrDefault(route);
    }

    public async ValueTask<IReadOnlyCollection<RouteLine>> RoutesAsync() => (await CurrentAsync()).Routes.Values;

    Task IRuleBookObserver.RuleBookChanged(long version)
    {
        HighWater.Raise(ref _notified, version);
        Loaded? loaded = _loaded;
        if (loaded is not null && loaded.Book.Version < version)
        {
            _loaded = loaded with { Stale = true };
        }

        return Task.CompletedTask;
    }

    private async ValueTask<Loaded> CurrentAsync()
    {
        Loaded? loaded = _loaded;
        if (loaded is not null && !loaded.Stale && _time.GetUtcNow() - loaded.At < _options.CacheLease)
        {
            return loaded;
        }

        await _loading.WaitAsync();
        try
        {
            loaded = _loaded;
            if (loaded is not null && !loaded.Stale && _time.GetUtcNow() - loaded.At < _options.CacheLease)
            {
                return loaded;
            }

            IRuleRegistryGrain registry = _grains.GetGrain<IRuleRegistryGrain>(0);
            DateTimeOffset at = _time.GetUtcNow();
            // Subscribe first: a change between the two calls is then either in the book or notified.
            // Orleans makes local object references only outside a grain's turn, hence the thread pool.
            _reference ??= await Task.Run(() => _grains.CreateObjectReference<IRuleBookObserver>(this));
            await registry.SubscribeAsync(_reference);
            RuleBook book = await registry.GetBookAsync();
            loaded = new Loaded(
                book,
                at,
                false,
                book.Rules.Where(r => r.Enabled).GroupBy(r => r.Trigger.Kind).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Id, StringComparer.Ordinal).ToArray()),
                book.Routes.ToDictionary(r => r.Id, StringComparer.Ordinal));
            // A notice that overtook the answer says the book is already old.
            _loaded = Interlocked.Read(ref _notified) > book.Version ? loaded with { Stale = true } : loaded;
            LogLoaded(book.Version, book.Rules.Length, book.Routes.Length);
            return loaded;
        }
        finally
        {
            _loading.Release();
        }
    }

    private sealed record Loaded(RuleBook Book, DateTimeOffset At, bool Stale, Dictionary<TwinKind, RuleDefinition[]> ByKind, Dictionary<string, RouteLine> Routes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rules loaded at version {Version}: {Rules} rules, {Routes} routes")]
    private partial void LogLoaded(long version, int rules, int routes);
}
