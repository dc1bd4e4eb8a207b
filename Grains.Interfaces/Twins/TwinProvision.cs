namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>What the device registry tells a twin when a device is bound to it.</summary>
[GenerateSerializer, Immutable, Alias("twincity.twin-provision")]
public sealed record TwinProvision(
    [property: Id(0)] ulong DevEui,
    [property: Id(1)] string Name,
    [property: Id(2)] GeoPoint Position,
    [property: Id(3)] int ReportingIntervalSeconds,
    [property: Id(4)] string? Route = null,
    [property: Id(5)] string? Codec = null,
    [property: Id(6)] long Revision = 0);
