using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.History;

/// <summary>One applied uplink as the history keeps it: enough to replay it onto a twin and to answer history queries.</summary>
[GenerateSerializer, Immutable, Alias("twincity.history-record")]
public sealed record HistoryRecord(
    [property: Id(0)] TwinKind Kind,
    [property: Id(1)] string TwinId,
    [property: Id(2)] ulong DevEui,
    [property: Id(3)] uint FCnt,
    [property: Id(4)] DateTime At,
    [property: Id(5)] Reading[] Values,
    [property: Id(6)] RadioInfo? Radio);
