namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>The JSON type of a property's value.</summary>
public enum PropertyType : byte
{
    Number = 0,
    Bool = 1,
    Text = 2,
}
