namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>
/// The application and device ids a network server names, checked before one is kept on a twin or
/// put into an MQTT topic: a wildcard, a level separator or a control character in an id would
/// publish a downlink somewhere else. ChirpStack's ids are UUIDs; The Things Stack's are lower-case
/// letters, digits and '-' (at most 36), with "@tenant" after the application.
/// </summary>
public static class NetworkIds
{
    /// <summary>The longest id taken (a TTS application id of 36 plus "@" and a tenant id of 36, with room).</summary>
    public const int MaxLength = 128;

    /// <summary>Null when <paramref name="id"/> is safe in a topic level, else why not.</summary>
    public static string? Problem(string what, string? id)
    {
        if (id is null)
        {
            return null;
        }

        if (id.Length is 0 or > MaxLength)
        {
            return $"the {what} must be 1 to {MaxLength} characters";
        }

        int ats = 0;
        foreach (char c in id)
        {
            if (c == '@')
            {
                ats++;
                continue;
            }

            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return $"the {what} may hold only letters, digits, '-', '_', '.' and one '@'";
            }
        }

        return ats > 1 || id[0] == '@' || id[^1] == '@' || id[0] == '.'
            ? $"the {what} may hold only letters, digits, '-', '_', '.' and one '@' between two names"
            : null;
    }
}
