namespace TwinCity.Grains.Interfaces.History;

/// <summary>
/// The durable record of applied uplinks. Ingest acknowledges a message to the broker only after
/// the task returned here completes, so an acknowledged uplink survives the loss of its silo.
/// </summary>
public interface IUplinkJournal
{
    /// <summary>Whether records survive the process (PostgreSQL); the in-memory journal of the embedded city does not.</summary>
    bool IsDurable { get; }

    /// <summary>Queues the record; the task completes when it is durable (or fails, and the message is delivered again).</summary>
    Task AppendAsync(HistoryRecord record);
}
