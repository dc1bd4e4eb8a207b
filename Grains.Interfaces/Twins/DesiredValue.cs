namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>A value an agency or a rule asked for, who asked and when.</summary>
[GenerateSerializer, Immutable, Alias("twincity.desired")]
public sealed record DesiredValue(
    [property: Id(0)] TwinProperty Property,
    [property: Id(1)] PropertyValue Value,
    [property: Id(2)] string By,
    [property: Id(3)] DateTime At);
