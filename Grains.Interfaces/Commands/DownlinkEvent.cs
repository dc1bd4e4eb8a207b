namespace TwinCity.Grains.Interfaces.Commands;

/// <summary>What a network server said about a downlink (identified by the command id it was sent with).</summary>
[GenerateSerializer, Immutable, Alias("twincity.downlink-event")]
public sealed record DownlinkEvent(
    [property: Id(0)] ulong DevEui,
    [property: Id(1)] string CommandId,
    [property: Id(2)] DownlinkEventKind Kind,
    [property: Id(3)] DateTime At,
    [property: Id(4)] string? Reason = null);
