using System.Text.Json;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Commands;

/// <summary>
/// The commands each kind takes and what they set (API.md, the agencies issue). Validation here
/// gives the caller a message that names the argument at fault.
/// </summary>
public static class CommandCatalog
{
    public static IReadOnlyList<string> NamesFor(TwinKind kind) => kind switch
    {
        TwinKind.Streetlight => ["switch", "dim", "schedule"],
        TwinKind.WaterMeter => ["valve", "readNow"],
        TwinKind.RoadSensor => ["setInterval", "mark"],
        TwinKind.Bus => ["display", "assignRoute"],
        _ => [],
    };

    /// <summary>The arguments each command takes; any other is refused, so nothing unchecked reaches a downlink.</summary>
    public static IReadOnlyList<string> ArgumentsOf(TwinKind kind, string name) => (kind, name) switch
    {
        (TwinKind.Streetlight, "switch") => ["on"],
        (TwinKind.Streetlight, "dim") => ["level"],
        (TwinKind.Streetlight, "schedule") => ["on", "off", "dimLevel"],
        (TwinKind.WaterMeter, "valve") => ["state"],
        (TwinKind.RoadSensor, "setInterval") => ["seconds"],
        (TwinKind.RoadSensor, "mark") => ["hazard", "dark"],
        (TwinKind.Bus, "display") => ["text"],
        (TwinKind.Bus, "assignRoute") => ["route"],
        _ => [],
    };

    /// <summary>Validates a command and returns the desired values it sets.</summary>
    public static bool TryBuild(TwinKind kind, string? name, JsonElement args, out Reading[] sets, out string? error) =>
        TryBuild(kind, name, args, out sets, out _, out error);

    /// <summary>
    /// Validates a command and returns the desired values it sets and its arguments as validated,
    /// written afresh (<paramref name="validArgsJson"/>): only the arguments its catalogue entry names,
    /// each of the checked type and range. A downlink is built from these, never from what the caller sent.
    /// </summary>
    public static bool TryBuild(TwinKind kind, string? name, JsonElement args, out Reading[] sets, out string? validArgsJson, out string? error)
    {
        validArgsJson = null;
        if (!TryCheck(kind, name, args, out sets, out error))
        {
            return false;
        }

        validArgsJson = WriteValid(ArgumentsOf(kind, name!), args);
        return true;
    }

    /// <summary>
    /// Validates arguments kept as JSON (a rule's effect, a stored command) the same way, for the twin
    /// to check again whatever path a command came by.
    /// </summary>
    public static bool TryValidate(TwinKind kind, string name, string? argsJson, out string? validArgsJson, out string? error)
    {
        validArgsJson = null;
        if (string.IsNullOrEmpty(argsJson))
        {
            return TryBuild(kind, name, default, out _, out validArgsJson, out error);
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(argsJson);
            return TryBuild(kind, name, doc.RootElement, out _, out validArgsJson, out error);
        }
        catch (JsonException ex)
        {
            error = "'args' is not valid JSON: " + ex.Message;
            return false;
        }
    }

    private static bool TryCheck(TwinKind kind, string? name, JsonElement args, out Reading[] sets, out string? error)
    {
        sets = [];
        string known = string.Join(", ", NamesFor(kind));
        if (string.IsNullOrEmpty(name) || !NamesFor(kind).Contains(name, StringComparer.Ordinal))
        {
            error = $"{kind.ToUrlName()} take the commands {known}, not '{name}'";
            return false;
        }

        if (args.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            error = "'args' must be an object";
            return false;
        }

        bool hasArgs = args.ValueKind == JsonValueKind.Object;
        if (hasArgs)
        {
            IReadOnlyList<string> allowed = ArgumentsOf(kind, name);
            var unknown = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty p in args.EnumerateObject())
            {
                if (!allowed.Contains(p.Name, StringComparer.Ordinal))
                {
                    unknown.Add($"'args.{p.Name}'");
                }
                else if (!seen.Add(p.Name))
                {
                    // JSON readers differ on which of two equal names wins: neither is trusted.
                    error = $"'args.{p.Name}' is given more than once";
                    return false;
                }
            }

            if (unknown.Count > 0)
            {
                string takes = allowed.Count == 0 ? "takes no arguments" : "takes only " + string.Join(", ", allowed);
                error = $"{string.Join(", ", unknown)} {(unknown.Count == 1 ? "is not an argument" : "are not arguments")} of {name}; it {takes}";
                return false;
            }
        }

        switch ((kind, name))
        {
            case (TwinKind.Streetlight, "switch"):
                if (!TryBool(args, hasArgs, "on", out bool on, out error))
                {
                    return false;
                }

                sets = [Reading.Of(TwinProperty.On, on)];
                return true;
            case (TwinKind.Streetlight, "dim"):
                if (!TryNumber(args, hasArgs, "level", 0, 100, out double level, out error))
                {
                    return false;
                }

                sets = [Reading.Of(TwinProperty.DimLevel, level)];
                return true;
            case (TwinKind.Streetlight, "schedule"):
                return TrySchedule(args, hasArgs, out error);
            case (TwinKind.WaterMeter, "valve"):
                if (!TryChoice(args, hasArgs, "state", ["open", "closed"], out string? state, out error))
                {
                    return false;
                }

                sets = [Reading.Of(TwinProperty.Valve, state!)];
                return true;
            case (TwinKind.WaterMeter, "readNow"):
                error = null;
                return true;
            case (TwinKind.RoadSensor, "setInterval"):
                return TryNumber(args, hasArgs, "seconds", 10, 86_400, out _, out error);
            case (TwinKind.RoadSensor, "mark"):
                return TryMark(args, hasArgs, out sets, out error);
            case (TwinKind.Bus, "display"):
                if (!TryText(args, hasArgs, "text", 120, out string? text, out error))
                {
                    return false;
                }

                return text is not null;
            case (TwinKind.Bus, "assignRoute"):
                if (!TryText(args, hasArgs, "route", 16, out string? route, out error))
                {
                    return false;
                }

                sets = [Reading.Of(TwinProperty.Route, route!)];
                return true;
            default:
                error = $"{kind.ToUrlName()} take the commands {known}, not '{name}'";
                return false;
        }
    }

    /// <summary>The command that sets one property to a value, with its arguments as JSON (to put a value back).</summary>
    public static (string Name, string ArgsJson)? CommandFor(TwinProperty property, PropertyValue value) => property switch
    {
        TwinProperty.On => ("switch", $"{{\"on\":{(value.AsBool ? "true" : "false")}}}"),
        TwinProperty.DimLevel => ("dim", $"{{\"level\":{value.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}"),
        TwinProperty.Valve => ("valve", $"{{\"state\":{JsonSerializer.Serialize(value.AsText)}}}"),
        TwinProperty.Route => ("assignRoute", $"{{\"route\":{JsonSerializer.Serialize(value.AsText)}}}"),
        TwinProperty.Hazard => ("mark", $"{{\"hazard\":{(value.AsBool ? "true" : "false")}}}"),
        TwinProperty.Dark => ("mark", $"{{\"dark\":{(value.AsBool ? "true" : "false")}}}"),
        _ => null,
    };

    /// <summary>
    /// Commands whose effect the platform applies itself, without a downlink: road sensors do not
    /// sense hazards or darkness; the city marks them.
    /// </summary>
    public static bool IsPlatformSide(TwinKind kind, string name) => kind == TwinKind.RoadSensor && name == "mark";

    /// <summary>The validated arguments written anew: the allowed names only, each value copied as the JSON reader typed it.</summary>
    private static string? WriteValid(IReadOnlyList<string> allowed, JsonElement args)
    {
        if (args.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (string name in allowed)
            {
                if (!args.TryGetProperty(name, out JsonElement value))
                {
                    continue;
                }

                switch (value.ValueKind)
                {
                    case JsonValueKind.True or JsonValueKind.False:
                        writer.WriteBoolean(name, value.GetBoolean());
                        break;
                    case JsonValueKind.Number:
                        writer.WriteNumber(name, value.GetDouble());
                        break;
                    case JsonValueKind.String:
                        writer.WriteString(name, value.GetString());
                        break;
                    default:
                        // TryCheck let no other type through.
                        throw new InvalidOperationException($"'args.{name}' has an unexpected type");
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static bool TryBool(JsonElement args, bool hasArgs, string name, out bool value, out string? error)
    {
        value = false;
        if (!hasArgs || !args.TryGetProperty(name, out JsonElement e))
        {
            error = $"'args.{name}' is required (true or false)";
            return false;
        }

        if (e.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            error = $"'args.{name}' must be true or false";
            return false;
        }

        value = e.GetBoolean();
        error = null;
        return true;
    }

    private static bool TryNumber(JsonElement args, bool hasArgs, string name, double min, double max, out double value, out string? error)
    {
        value = 0;
        if (!hasArgs || !args.TryGetProperty(name, out JsonElement e))
        {
            error = $"'args.{name}' is required (a number from {min} to {max})";
            return false;
        }

        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out value) || value < min || value > max)
        {
            error = $"'args.{name}' must be a number from {min} to {max}";
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryChoice(JsonElement args, bool hasArgs, string name, string[] choices, out string? value, out string? error)
    {
        value = null;
        if (!hasArgs || !args.TryGetProperty(name, out JsonElement e) || e.ValueKind != JsonValueKind.String || !choices.Contains(e.GetString()))
        {
            error = $"'args.{name}' must be one of {string.Join(", ", choices)}";
            return false;
        }

        value = e.GetString();
        error = null;
        return true;
    }

    private static bool TryText(JsonElement args, bool hasArgs, string name, int maxLength, out string? value, out string? error)
    {
        value = null;
        if (!hasArgs || !args.TryGetProperty(name, out JsonElement e) || e.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(e.GetString()))
        {
            error = $"'args.{name}' is required (text)";
            return false;
        }

        value = e.GetString()!;
        if (value.Length > maxLength)
        {
            error = $"'args.{name}' is longer than {maxLength} characters";
            value = null;
            return false;
        }

        error = null;
        return true;
    }

    private static bool TrySchedule(JsonElement args, bool hasArgs, out string? error)
    {
        // A lamp schedule: { "on": "HH:mm", "off": "HH:mm", "dimLevel": 0-100 (optional) }.
        if (!hasArgs)
        {
            error = "'args' must give 'on' and 'off' times as HH:mm";
            return false;
        }

        foreach (string key in new[] { "on", "off" })
        {
            if (!args.TryGetProperty(key, out JsonElement t) || t.ValueKind != JsonValueKind.String || !TimeOnly.TryParseExact(t.GetString(), "HH:mm", out _))
            {
                error = $"'args.{key}' must be a time of day as HH:mm";
                return false;
            }
        }

        if (args.TryGetProperty("dimLevel", out JsonElement d) && (d.ValueKind != JsonValueKind.Number || d.GetDouble() is < 0 or > 100))
        {
            error = "'args.dimLevel' must be a number from 0 to 100";
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryMark(JsonElement args, bool hasArgs, out Reading[] sets, out string? error)
    {
        var values = new List<Reading>();
        foreach ((string key, TwinProperty property) in new[] { ("hazard", TwinProperty.Hazard), ("dark", TwinProperty.Dark) })
        {
            if (hasArgs && args.TryGetProperty(key, out JsonElement e))
            {
                if (e.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    sets = [];
                    error = $"'args.{key}' must be true or false";
                    return false;
                }

                values.Add(Reading.Of(property, e.GetBoolean()));
            }
        }

        sets = [.. values];
        error = values.Count == 0 ? "'args' must give 'hazard' and/or 'dark' (true or false)" : null;
        return values.Count > 0;
    }
}
