using TwinCity.Grains.Interfaces.Geo;
using TwinCity.Grains.Interfaces.Rules;

namespace TwinCity.Grains.Rules;

/// <summary>Whether a rule's active hours include a moment.</summary>
public static class RuleHours
{
    public static bool IsActive(ActiveHours? hours, DateTime utc, RulesOptions city)
    {
        ArgumentNullException.ThrowIfNull(city);
        if (hours is null)
        {
            return true;
        }

        if (hours.Night)
        {
            return SunTimes.IsNight(utc, city.Latitude, city.Longitude);
        }

        if (hours.From is not TimeOnly from || hours.To is not TimeOnly to)
        {
            return true;
        }

        TimeOnly local = TimeOnly.FromDateTime(utc + city.UtcOffset);
        // A window whose end comes before its start runs past midnight (22:00–06:00).
        return from <= to ? local >= from && local < to : local >= from || local < to;
    }
}
