namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>Radio metadata of the best gateway that heard an uplink.</summary>
[GenerateSerializer, Immutable, Alias("twincity.radio")]
public sealed record RadioInfo(
    [property: Id(0)] int? Rssi,
    [property: Id(1)] double? Snr,
    [property: Id(2)] string? Gateway);
