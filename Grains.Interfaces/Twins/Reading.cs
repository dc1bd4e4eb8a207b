namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>A decoded value of one property, as ingest hands it to a twin.</summary>
[GenerateSerializer, Immutable, Alias("twincity.reading")]
public readonly record struct Reading(
    [property: Id(0)] TwinProperty Property,
    [property: Id(1)] PropertyValue Value)
{
    public static Reading Of(TwinProperty property, double number) => new(property, PropertyValue.Of(number));

    public static Reading Of(TwinProperty property, bool flag) => new(property, PropertyValue.Of(flag));

    public static Reading Of(TwinProperty property, string text) => new(property, PropertyValue.Of(text));
}
