using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces.Rules;

namespace TwinCity.Grains.Rules;

/// <summary>The recent firings of one rule, newest last; a bounded list in memory, for operators to look at.</summary>
[KeepAlive]
public sealed class RuleFiringsGrain(IOptions<RulesOptions> options) : Grain, IRuleFiringsGrain
{
    private readonly Queue<RuleFiring> _firings = new();
    private readonly int _kept = Math.Max(1, options.Value.FiringsKept);

    public Task RecordAsync(RuleFiring firing)
    {
        _firings.Enqueue(firing);
        while (_firings.Count > _kept)
        {
            _firings.Dequeue();
        }

        return Task.CompletedTask;
    }

    public ValueTask<RuleFiring[]> ListAsync(int limit) =>
        ValueTask.FromResult(_firings.Reverse().Take(Math.Max(0, limit)).ToArray());

    public Task ClearAsync()
    {
        _firings.Clear();
        return Task.CompletedTask;
    }
}
