namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>
/// When a rule may fire: at night (between sunset and sunrise at the city's coordinates) or between
/// two times of day in the city's local time (a window may run past midnight: 22:00–06:00).
/// </summary>
[GenerateSerializer, Immutable, Alias("twincity.rule-active-hours")]
public sealed record ActiveHours(
    [property: Id(0)] bool Night,
    [property: Id(1)] TimeOnly? From = null,
    [property: Id(2)] TimeOnly? To = null);
