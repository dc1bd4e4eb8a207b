using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Commands;

/// <summary>A downlink for the network server a device uses; built by the twin, published by ingest.</summary>
[GenerateSerializer, Immutable, Alias("twincity.downlink-request")]
public sealed record DownlinkRequest(
    [property: Id(0)] ulong DevEui,
    [property: Id(1)] string CommandId,
    [property: Id(2)] string CommandName,
    [property: Id(3)] Reading[] Sets,
    [property: Id(4)] string? ArgsJson,
    [property: Id(5)] string? Codec,
    [property: Id(6)] NetworkServer Server,
    [property: Id(7)] string? ApplicationId,
    [property: Id(8)] string? DeviceId);
