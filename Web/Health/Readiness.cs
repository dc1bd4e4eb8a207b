using System.Collections.Concurrent;

namespace TwinCity.Web.Health;

/// <summary>
/// Start-up work the city must finish before it takes traffic (seeding, broker connection...).
/// Each part registers itself and reports when done; <c>/health/ready</c> answers 200 once none is pending.
/// </summary>
public sealed class Readiness
{
    private readonly ConcurrentDictionary<string, string> _pending = new(StringComparer.Ordinal);

    public void Expect(string component, string waitingFor) => _pending[component] = waitingFor;

    public void Done(string component) => _pending.TryRemove(component, out _);

    public IReadOnlyDictionary<string, string> Pending => _pending;
}
