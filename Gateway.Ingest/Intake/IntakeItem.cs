namespace TwinCity.Gateway.Ingest.Intake;

/// <summary>
/// One network-server message on its way through ingest's lanes.
/// </summary>
/// <param name="Topic">The MQTT topic (it names the device, which picks the lane and the owning silo).</param>
/// <param name="Payload">The message's bytes.</param>
/// <param name="Pooled">The pooled buffer <paramref name="Payload"/> lies in, returned once the item is done; null when the bytes are not pooled.</param>
/// <param name="Source">Where it came from; told when it is done.</param>
/// <param name="State">The source's own handle on the message (an MQTT delivery to acknowledge, say).</param>
/// <param name="Tag">A number of the source's own (the connection's generation, a position in a batch).</param>
public readonly record struct IntakeItem(
    string Topic,
    ReadOnlyMemory<byte> Payload,
    byte[]? Pooled,
    IIntakeSource Source,
    object? State = null,
    int Tag = 0);
