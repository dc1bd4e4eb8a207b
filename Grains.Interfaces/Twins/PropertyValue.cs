using System.Globalization;

namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>
/// One property value: a number, a boolean or a short text. A struct rather than a boxed
/// <see cref="object"/> so that readings travel and sit in state without allocations.
/// </summary>
[GenerateSerializer, Immutable, Alias("twincity.value")]
public readonly record struct PropertyValue
{
    [Id(0)] public PropertyType Type { get; init; }
    [Id(1)] public double Number { get; init; }
    [Id(2)] public string? Text { get; init; }

    public static PropertyValue Of(double number) => new() { Type = PropertyType.Number, Number = number };

    public static PropertyValue Of(bool flag) => new() { Type = PropertyType.Bool, Number = flag ? 1 : 0 };

    public static PropertyValue Of(string text) => new() { Type = PropertyType.Text, Text = text };

    public bool AsBool => Type switch
    {
        PropertyType.Bool or PropertyType.Number => Number != 0,
        _ => string.Equals(Text, "true", StringComparison.OrdinalIgnoreCase) || Text == "1",
    };

    public string AsText => Type switch
    {
        PropertyType.Text => Text ?? string.Empty,
        PropertyType.Bool => Number != 0 ? "true" : "false",
        _ => Number.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Equality as a person reading the twin would judge it (numbers to 1e-9).</summary>
    public bool SameAs(PropertyValue other) => Type switch
    {
        PropertyType.Text => other.Type == PropertyType.Text && string.Equals(Text, other.Text, StringComparison.Ordinal),
        PropertyType.Bool => other.Type != PropertyType.Text && (Number != 0) == (other.Number != 0),
        _ => other.Type != PropertyType.Text && Math.Abs(Number - other.Number) < 1e-9,
    };

    public override string ToString() => AsText;
}
