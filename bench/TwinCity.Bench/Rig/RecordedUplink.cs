namespace TwinCity.Bench.Rig;

/// <summary>One row of <c>uplink_history</c> as the failover run reads it.</summary>
/// <param name="DevEui">The device.</param>
/// <param name="FCnt">Its frame counter.</param>
/// <param name="PublishedAt">The event's time (<c>received_at</c>): the publisher writes it as it publishes a paced uplink.</param>
/// <param name="RecordedAt">When the silo's history writer recorded it (<c>inserted_at</c>, PostgreSQL's <c>now()</c>: the start of the batch's transaction).</param>
public sealed record RecordedUplink(ulong DevEui, uint FCnt, DateTime PublishedAt, DateTime RecordedAt);
