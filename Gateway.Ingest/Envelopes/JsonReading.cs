using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Envelopes;

/// <summary>
/// Small readers over <see cref="Utf8JsonReader"/> that accept what network servers send: protobuf
/// JSON writes 64-bit integers as strings, and either server may quote a number.
/// </summary>
internal static class JsonReading
{
    public static bool TryReadUInt32(ref Utf8JsonReader reader, out uint value)
    {
        value = 0;
        return reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetUInt32(out value) || (reader.TryGetUInt64(out ulong big) && (value = unchecked((uint)big)) == value),
            JsonTokenType.String => Utf8Parser.TryParse(reader.ValueSpan, out value, out int consumed) && consumed == reader.ValueSpan.Length,
            JsonTokenType.Null => true,
            _ => false,
        };
    }

    public static bool TryReadDouble(ref Utf8JsonReader reader, out double? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetDouble(out double d):
                value = d;
                return true;
            case JsonTokenType.String when Utf8Parser.TryParse(reader.ValueSpan, out double s, out int consumed) && consumed == reader.ValueSpan.Length:
                value = s;
                return true;
            case JsonTokenType.Null:
                return true;
            default:
                return false;
        }
    }

    public static bool TryReadDevEui(ref Utf8JsonReader reader, out ulong devEui)
    {
        devEui = 0;
        return reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && DevEui.TryParseUtf8(reader.ValueSpan, out devEui);
    }

    public static bool TryReadTime(ref Utf8JsonReader reader, out DateTime time)
    {
        time = default;
        if (reader.TokenType != JsonTokenType.String)
        {
            return reader.TokenType == JsonTokenType.Null;
        }

        if (reader.TryGetDateTimeOffset(out DateTimeOffset dto))
        {
            time = dto.UtcDateTime;
            return true;
        }

        // Go and protobuf write nanoseconds (nine fractional digits), which the reader refuses.
        string? text = reader.GetString();
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out dto))
        {
            time = dto.UtcDateTime;
            return true;
        }

        if (text is { Length: > 28 } && text.EndsWith('Z') && text.IndexOf('.', StringComparison.Ordinal) is int dot and > 0)
        {
            string trimmed = text[..Math.Min(text.Length - 1, dot + 8)] + "Z";
            if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out dto))
            {
                time = dto.UtcDateTime;
                return true;
            }
        }

        return false;
    }

    public static string? ReadString(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString() : null;

    /// <summary>An uplink's id for deduplication, without making a string of it when it is a UUID; no id for anything but a string.</summary>
    public static DeduplicationKey ReadDeduplicationKey(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return default;
        }

        return reader.HasValueSequence || reader.ValueIsEscaped
            ? DeduplicationKey.Of(reader.GetString()!)
            : DeduplicationKey.Of(reader.ValueSpan);
    }

    /// <summary>
    /// Reads a text that many devices repeat (application and gateway ids) as the one pooled copy
    /// in <see cref="SharedStrings"/>, without making a string of it each time; upper-cased when asked.
    /// Not for what each device has its own of (device names): those would fill the bounded pool.
    /// </summary>
    public static string? ReadSharedString(ref Utf8JsonReader reader, bool upperCase = false)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return null;
        }

        if (reader.HasValueSequence || reader.ValueSpan.Length > SharedStrings.MaxLength)
        {
            string text = reader.GetString()!;
            return SharedStrings.Get(upperCase ? text.ToUpperInvariant() : text);
        }

        // UTF-8 never takes fewer bytes than the UTF-16 characters it decodes to, escaped or not.
        Span<char> chars = stackalloc char[reader.ValueSpan.Length];
        int length = reader.CopyString(chars);
        Span<char> value = chars[..length];
        if (upperCase)
        {
            for (int i = 0; i < value.Length; i++)
            {
                value[i] = char.ToUpperInvariant(value[i]);
            }
        }

        return SharedStrings.Get(value);
    }

    /// <summary>Reads a base64 string; false when it is not base64.</summary>
    public static bool TryReadBase64(ref Utf8JsonReader reader, out byte[]? bytes)
    {
        bytes = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        return reader.TokenType == JsonTokenType.String && reader.TryGetBytesFromBase64(out bytes);
    }
}
