using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces.Audit;

namespace TwinCity.Web.Audit;

/// <summary>
/// The audit trail of one process, kept in memory and bounded (<see cref="AuditOptions.Capacity"/>):
/// what the embedded city needs. A durable trail (the <c>audit_log</c> table) registers its own
/// <see cref="IAuditLog"/> before the web role, which then leaves it in place.
/// </summary>
public sealed class MemoryAuditLog(IOptions<AuditOptions> options) : IAuditLog
{
    private readonly LinkedList<AuditEntry> _entries = new();
    private readonly Lock _lock = new();
    private readonly int _capacity = Math.Max(1, options.Value.Capacity);

    public void Write(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            _entries.AddLast(entry);
            if (_entries.Count > _capacity)
            {
                _entries.RemoveFirst();
            }
        }
    }

    public Task<IReadOnlyList<AuditEntry>> QueryAsync(string? actor, string? kind, DateTime? from, DateTime? to, int limit, CancellationToken cancellationToken)
    {
        var found = new List<AuditEntry>(Math.Min(limit, 256));
        lock (_lock)
        {
            // Entries are written in time order only roughly (grains on many threads), so the walk filters rather than stops early.
            for (LinkedListNode<AuditEntry>? node = _entries.Last; node is not null && found.Count < limit; node = node.Previous)
            {
                AuditEntry e = node.Value;
                if ((actor is null || e.Actor == actor)
                    && (kind is null || e.Kind == kind)
                    && (from is null || e.At >= from)
                    && (to is null || e.At <= to))
                {
                    found.Add(e);
                }
            }
        }

        found.Sort((a, b) => b.At.CompareTo(a.At));
        return Task.FromResult<IReadOnlyList<AuditEntry>>(found);
    }
}
