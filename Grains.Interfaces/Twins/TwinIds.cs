namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>Twin ids are agencies' asset ids: letters, digits, '-', '_' and '.', at most 64.</summary>
public static class TwinIds
{
    public const int MaxLength = 64;

    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
