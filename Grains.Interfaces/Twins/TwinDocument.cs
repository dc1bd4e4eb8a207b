namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>The whole twin as readers see it (API.md, "The twin document").</summary>
[GenerateSerializer, Immutable, Alias("twincity.twin-document")]
public sealed record TwinDocument(
    [property: Id(0)] TwinKind Kind,
    [property: Id(1)] string Id,
    [property: Id(2)] string? DevEui,
    [property: Id(3)] string? Name,
    [property: Id(4)] long Version,
    [property: Id(5)] TwinStatus Status,
    [property: Id(6)] DateTime? LastSeen,
    [property: Id(7)] GeoPoint Position,
    [property: Id(8)] IReadOnlyList<ReportedValue> Reported,
    [property: Id(9)] IReadOnlyList<DesiredValue> Desired,
    [property: Id(10)] RadioInfo? Radio,
    [property: Id(11)] uint? FCnt,
    [property: Id(12)] IReadOnlyList<CommandInfo> Commands,
    [property: Id(13)] DateTime ChangedAt,
    [property: Id(14)] int ReportingIntervalSeconds,
    [property: Id(15)] IReadOnlyList<DeviceLogEntry>? Log = null)
{
    /// <summary>Desired values the device does not report yet; derived, never stored.</summary>
    public IEnumerable<DesiredValue> Delta => Desired.Where(d =>
    {
        foreach (ReportedValue r in Reported)
        {
            if (r.Property == d.Property)
            {
                return !r.Value.SameAs(d.Value);
            }
        }

        return true;
    });
}
