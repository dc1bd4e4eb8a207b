namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>A network server's log event about a device (ChirpStack <c>log</c>: codec errors, MIC failures, downlink problems).</summary>
[GenerateSerializer, Immutable, Alias("twincity.device-log")]
public sealed record DeviceLogEntry(
    [property: Id(0)] DateTime At,
    [property: Id(1)] string Level,
    [property: Id(2)] string? Code,
    [property: Id(3)] string? Description);
