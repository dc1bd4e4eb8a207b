using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.History;

/// <summary>Reads a twin's history: for replay after a snapshot, and for the history API.</summary>
public interface ITwinHistory
{
    /// <summary>Whether the history is durable (the twin then replays it on activation).</summary>
    bool IsDurable { get; }

    /// <summary>Records of one twin received at or after <paramref name="since"/>, oldest first.</summary>
    Task<IReadOnlyList<HistoryRecord>> ReadSinceAsync(TwinKind kind, string twinId, DateTime since, CancellationToken cancellationToken);

    /// <summary>Records of one twin between two instants, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<HistoryRecord>> QueryAsync(TwinKind kind, string twinId, DateTime from, DateTime to, int limit, CancellationToken cancellationToken);
}
