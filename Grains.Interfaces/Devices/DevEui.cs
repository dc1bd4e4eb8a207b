using System.Globalization;

namespace TwinCity.Grains.Interfaces.Devices;

/// <summary>
/// DevEUI handling: 16 hex digits, printed upper case without separators; any case and '-'/':'
/// separators accepted on input. Held as a <see cref="ulong"/> everywhere inside.
/// </summary>
public static class DevEui
{
    public static bool TryParse(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        int digits = 0;
        foreach (char c in text.Trim())
        {
            if (c is '-' or ':' or ' ')
            {
                continue;
            }

            int nibble = HexValue(c);
            if (nibble < 0 || ++digits > 16)
            {
                value = 0;
                return false;
            }

            value = (value << 4) | (uint)nibble;
        }

        if (digits != 16)
        {
            value = 0;
            return false;
        }

        return true;
    }

    /// <summary>Parses 16 hex digits from UTF-8 bytes (as found in MQTT topics and JSON).</summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> utf8, out ulong value)
    {
        value = 0;
        int digits = 0;
        foreach (byte b in utf8)
        {
            if (b is (byte)'-' or (byte)':')
            {
                continue;
            }

            int nibble = HexValue((char)b);
            if (nibble < 0 || ++digits > 16)
            {
                value = 0;
                return false;
            }

            value = (value << 4) | (uint)nibble;
        }

        if (digits != 16)
        {
            value = 0;
            return false;
        }

        return true;
    }

    public static string Format(ulong value) => value.ToString("X16", CultureInfo.InvariantCulture);

    /// <summary>Normalises any accepted spelling to the canonical form, or returns null.</summary>
    public static string? Normalize(string? text) => text is not null && TryParse(text, out ulong v) ? Format(v) : null;

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
