using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces.Audit;

namespace TwinCity.Web.Audit;

/// <summary>
/// The audit trail of one process, kept in memory and bounded: what the embedded city needs. Actions
/// and refusals are kept apart, each bounded on its own (<see cref="AuditOptions.Capacity"/>,
/// <see cref="AuditOptions.RefusalCapacity"/>), so that refusals cannot push actions out. A durable
/// trail (the <c>audit_log</c> table) registers its own <see cref="IAuditLog"/> before the web role,
/// which then leaves it in place.
/// </summary>
public sealed class MemoryAuditLog(IOptions<AuditOptions> options) : IAuditLog
{
    private readonly LinkedList<AuditEntry> _actions = new();
    private readonly LinkedList<AuditEntry> _refusals = new();
    private readonly Lock _lock = new();
    private readonly int _capacity = Math.Max(1, options.Value.Capacity);
    private readonly int _refusalCapacity = Math.Max(1, options.Value.RefusalCapacity);

    public void Write(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        bool refusal = entry.IsRefusal;
        LinkedList<AuditEntry> list = refusal ? _refusals : _actions;
        int capacity = refusal ? _refusalCapacity : _capacity;
        lock (_lock)
        {
            list.AddLast(entry);
            if (list.Count > capacity)
            {
                list.RemoveFirst();
            }
        }
    }

    public Task<IReadOnlyList<AuditEntry>> QueryAsync(string? actor, string? kind, DateTime? from, DateTime? to, int limit, CancellationToken cancellationToken, bool? refused = null)
    {
        var found = new List<AuditEntry>(Math.Min(limit, 256));
        lock (_lock)
        {
            if (refused != true)
            {
                Collect(_actions, actor, kind, from, to, limit, found);
            }

            if (refused != false)
            {
                Collect(_refusals, actor, kind, from, to, limit, found);
            }
        }

        found.Sort((a, b) => b.At.CompareTo(a.At));
        return Task.FromResult<IReadOnlyList<AuditEntry>>(found.Count > limit ? found[..limit] : found);
    }

    private static void Collect(LinkedList<AuditEntry> entries, string? actor, string? kind, DateTime? from, DateTime? to, int limit, List<AuditEntry> found)
    {
        // Entries are written in time order only roughly (grains on many threads), so the walk filters rather than stops early.
        int taken = 0;
        for (LinkedListNode<AuditEntry>? node = entries.Last; node is not null && taken < limit; node = node.Previous)
        {
            AuditEntry e = node.Value;
            if ((actor is null || e.Actor == actor)
                && (kind is null || e.Kind == kind)
                && (from is null || e.At >= from)
                && (to is null || e.At <= to))
            {
                found.Add(e);
                taken++;
            }
        }
    }
}
