namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>What the platform knows about one property: its JSON name, type, kinds and valid range.</summary>
public sealed record PropertyInfo(
    TwinProperty Property,
    string Name,
    PropertyType Type,
    IReadOnlyList<TwinKind> Kinds,
    double Min = double.NegativeInfinity,
    double Max = double.PositiveInfinity,
    IReadOnlyList<string>? Choices = null)
{
    public bool AppliesTo(TwinKind kind) => Kinds.Contains(kind);

    /// <summary>Checks a value against the property's type and range; returns the reason when it does not fit.</summary>
    public string? Validate(PropertyValue value)
    {
        switch (Type)
        {
            case PropertyType.Bool when value.Type != PropertyType.Bool:
                return $"'{Name}' takes true or false";
            case PropertyType.Number when value.Type != PropertyType.Number:
                return $"'{Name}' takes a number";
            case PropertyType.Number when double.IsNaN(value.Number) || value.Number < Min || value.Number > Max:
                return $"'{Name}' must be between {Min} and {Max}, not {value.Number}";
            case PropertyType.Text when value.Type != PropertyType.Text:
                return $"'{Name}' takes a string";
            case PropertyType.Text when Choices is not null && !Choices.Contains(value.Text ?? string.Empty):
                return $"'{Name}' must be one of {string.Join(", ", Choices)}";
            case PropertyType.Text when (value.Text?.Length ?? 0) > 128:
                return $"'{Name}' is longer than 128 characters";
            default:
                return null;
        }
    }
}
