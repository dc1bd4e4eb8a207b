namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>A reported value and when the device measured it.</summary>
[GenerateSerializer, Immutable, Alias("twincity.reported")]
public readonly record struct ReportedValue(
    [property: Id(0)] TwinProperty Property,
    [property: Id(1)] PropertyValue Value,
    [property: Id(2)] DateTime At);
