namespace TwinCity.Grains.Interfaces.Cluster;

/// <summary>What a silo tells the cluster about itself every few seconds.</summary>
[GenerateSerializer, Immutable, Alias("twincity.silo-report")]
public sealed record SiloReport(
    [property: Id(0)] string Silo,
    [property: Id(1)] string? Name,
    [property: Id(2)] DateTime At,
    [property: Id(3)] long UplinksApplied,
    [property: Id(4)] double UplinksPerSecond,
    [property: Id(5)] int ViewersConnected,
    [property: Id(6)] string? WebAddress);
