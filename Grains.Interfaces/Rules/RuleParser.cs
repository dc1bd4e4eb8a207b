using System.Globalization;
using System.Text.Json;
using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>
/// Reads a rule from its JSON (docs/rules.md). Every problem names the field at fault as a path,
/// such as <c>trigger.any[1].value</c> or <c>effects[0].args.level</c>.
/// </summary>
public static class RuleParser
{
    public const int MaxIdLength = 64;
    public const double MaxSeconds = 7 * 24 * 3600;
    public const double MaxMetres = 5_000;

    /// <summary>Whether a rule id is acceptable: letters, digits, '-', '_', '.'; at most 64.</summary>
    public static bool IsValidId(string? id) => TwinIds.IsValid(id) && id!.Length <= MaxIdLength;

    /// <param name="agencies">
    /// The city's agencies (from its configuration), which an alert may be addressed to; null where
    /// the caller has no list, and then any well-formed agency name is taken.
    /// </param>
    public static bool TryParse(string id, JsonElement root, out RuleDefinition? rule, out RuleProblem? problem, IReadOnlyCollection<string>? agencies = null)
    {
        rule = null;
        try
        {
            rule = Parse(id, root, agencies);
            problem = null;
            return true;
        }
        catch (RuleFormatException ex)
        {
            problem = new RuleProblem(ex.Field, ex.Message);
            return false;
        }
        catch (InvalidOperationException ex)
        {
            // JSON can hold text that is not valid (bytes that are not UTF-8, a lone "\uD800"); reading it as a string throws.
            problem = new RuleProblem("$", $"a value is not valid text: {ex.Message}");
            return false;
        }
    }

    private static RuleDefinition Parse(string id, JsonElement root, IReadOnlyCollection<string>? agencies)
    {
        if (!IsValidId(id))
        {
            throw new RuleFormatException("id", "a rule id is 1 to 64 letters, digits, '-', '_' or '.'");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RuleFormatException("$", "the rule must be a JSON object with trigger, scope and effects");
        }

        string? description = OptionalText(root, "description", "description", 500);
        bool enabled = !root.TryGetProperty("enabled", out JsonElement en) || Bool(en, "enabled");
        RuleTrigger trigger = ParseTrigger(Required(root, "trigger", "trigger"));
        RuleScope scope = root.TryGetProperty("scope", out JsonElement sc) ? ParseScope(sc) : new RuleScope(RuleScopeType.Cell);
        JsonElement effectsJson = Required(root, "effects", "effects");
        if (effectsJson.ValueKind != JsonValueKind.Array || effectsJson.GetArrayLength() == 0)
        {
            throw new RuleFormatException("effects", "'effects' must be a non-empty array");
        }

        var effects = new List<RuleEffect>();
        int i = 0;
        foreach (JsonElement e in effectsJson.EnumerateArray())
        {
            effects.Add(ParseEffect(e, $"effects[{i++}]", agencies));
        }

        if (scope.Type == RuleScopeType.RouteAhead && trigger.Kind != TwinKind.Bus)
        {
            throw new RuleFormatException("scope.type", "'routeAhead' needs a trigger on buses (the route is the bus's)");
        }

        double duration = Seconds(root, "durationSeconds", "durationSeconds");
        double cooldown = Seconds(root, "cooldownSeconds", "cooldownSeconds");
        ActiveHours? hours = root.TryGetProperty("activeHours", out JsonElement ah) ? ParseHours(ah) : null;
        bool endWhenCleared = root.TryGetProperty("endWhenCleared", out JsonElement ew) && Bool(ew, "endWhenCleared");
        return new RuleDefinition(id, description, trigger, scope, [.. effects], duration, cooldown, hours, enabled, EndWhenCleared: endWhenCleared);
    }

    private static RuleTrigger ParseTrigger(JsonElement t)
    {
        if (t.ValueKind != JsonValueKind.Object)
        {
            throw new RuleFormatException("trigger", "'trigger' must be an object: { \"kind\": ..., \"any\": [conditions] }");
        }

        TwinKind kind = Kind(Required(t, "kind", "trigger.kind"), "trigger.kind");
        bool hasAny = t.TryGetProperty("any", out JsonElement any);
        bool hasAll = t.TryGetProperty("all", out JsonElement all);
        if (hasAny == hasAll)
        {
            throw new RuleFormatException("trigger.any", "'trigger' needs exactly one of 'any' or 'all': an array of conditions");
        }

        string listName = hasAny ? "trigger.any" : "trigger.all";
        JsonElement list = hasAny ? any : all;
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new RuleFormatException(listName, $"'{listName}' must be a non-empty array of conditions");
        }

        var conditions = new List<RuleCondition>();
        int i = 0;
        foreach (JsonElement c in list.EnumerateArray())
        {
            conditions.Add(ParseCondition(kind, c, $"{listName}[{i++}]"));
        }

        GeoBox? within = null;
        if (t.TryGetProperty("within", out JsonElement w))
        {
            within = Box(w, "trigger.within");
        }

        return new RuleTrigger(kind, [.. conditions], hasAll, within);
    }

    private static RuleCondition ParseCondition(TwinKind kind, JsonElement c, string path)
    {
        if (c.ValueKind != JsonValueKind.Object)
        {
            throw new RuleFormatException(path, $"'{path}' must be an object: {{ \"property\": ..., \"op\": ..., \"value\": ... }}");
        }

        string name = Text(Required(c, "property", path + ".property"), path + ".property");
        if (!PropertyCatalog.TryGet(kind, name, out PropertyInfo? info))
        {
            throw new RuleFormatException(path + ".property", $"{kind.ToUrlName()} have no property '{name}'; they have {string.Join(", ", PropertyCatalog.For(kind).Select(p => p.Name))}");
        }

        string opText = Text(Required(c, "op", path + ".op"), path + ".op");
        RuleOp op = opText switch
        {
            ">" => RuleOp.Greater,
            ">=" => RuleOp.GreaterOrEqual,
            "<" => RuleOp.Less,
            "<=" => RuleOp.LessOrEqual,
            "==" => RuleOp.Equal,
            "!=" => RuleOp.NotEqual,
            "changed" => RuleOp.Changed,
            _ => throw new RuleFormatException(path + ".op", $"'op' must be one of >, >=, <, <=, ==, !=, changed; not '{opText}'"),
        };

        PropertyValue? value = null;
        if (op != RuleOp.Changed)
        {
            JsonElement v = Required(c, "value", path + ".value");
            PropertyValue parsed = v.ValueKind switch
            {
                // A number beyond a double reads as infinity, which no comparison or JSON answer can carry.
                JsonValueKind.Number => double.IsFinite(v.GetDouble())
                    ? PropertyValue.Of(v.GetDouble())
                    : throw new RuleFormatException(path + ".value", "'value' is beyond the range of a number"),
                JsonValueKind.True or JsonValueKind.False => PropertyValue.Of(v.GetBoolean()),
                JsonValueKind.String => PropertyValue.Of(v.GetString()!),
                _ => throw new RuleFormatException(path + ".value", "'value' must be a number, true/false or a string"),
            };
            if (info.Validate(parsed) is string bad)
            {
                throw new RuleFormatException(path + ".value", bad);
            }

            if (info.Type != PropertyType.Number && op is not (RuleOp.Equal or RuleOp.NotEqual))
            {
                throw new RuleFormatException(path + ".op", $"'{name}' is not a number: compare it with == or !=");
            }

            value = parsed;
        }

        double forSeconds = Seconds(c, "forSeconds", path + ".forSeconds");
        double hysteresis = 0;
        if (c.TryGetProperty("hysteresis", out JsonElement h))
        {
            if (h.ValueKind != JsonValueKind.Number || h.GetDouble() < 0 || !double.IsFinite(h.GetDouble()) || info.Type != PropertyType.Number)
            {
                throw new RuleFormatException(path + ".hysteresis", "'hysteresis' is a finite number of at least 0, for conditions on numbers");
            }

            hysteresis = h.GetDouble();
        }

        return new RuleCondition(info.Property, op, value, forSeconds, hysteresis);
    }

    private static RuleScope ParseScope(JsonElement s)
    {
        if (s.ValueKind != JsonValueKind.Object)
        {
            throw new RuleFormatException("scope", "'scope' must be an object: { \"type\": \"cell\" | \"radius\" | \"routeAhead\", ... }");
        }

        string type = Text(Required(s, "type", "scope.type"), "scope.type");
        switch (type)
        {
            case "cell":
                return new RuleScope(RuleScopeType.Cell);
            case "radius":
                return new RuleScope(RuleScopeType.Radius, Metres(Required(s, "metres", "scope.metres"), "scope.metres"));
            case "routeAhead":
                double ahead = Metres(Required(s, "metres", "scope.metres"), "scope.metres");
                double width = s.TryGetProperty("widthMetres", out JsonElement w) ? Metres(w, "scope.widthMetres") : 30;
                return new RuleScope(RuleScopeType.RouteAhead, ahead, width);
            default:
                throw new RuleFormatException("scope.type", $"'scope.type' must be cell, radius or routeAhead; not '{type}'");
        }
    }

    private static RuleEffect ParseEffect(JsonElement e, string path, IReadOnlyCollection<string>? cityAgencies)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new RuleFormatException(path, $"'{path}' must be an object with a 'type'");
        }

        string type = Text(Required(e, "type", path + ".type"), path + ".type");
        switch (type)
        {
            case "command":
                TwinKind kind = Kind(Required(e, "kind", path + ".kind"), path + ".kind");
                string name = Text(Required(e, "command", path + ".command"), path + ".command");
                JsonElement args = e.TryGetProperty("args", out JsonElement a) ? a : default;
                if (!CommandCatalog.TryBuild(kind, name, args, out Reading[] sets, out string? validArgs, out string? error))
                {
                    // The catalogue names the argument ('args.level'); the path says which effect.
                    string field = error!.StartsWith("'args", StringComparison.Ordinal) ? path + "." + error[1..error.IndexOf('\'', 1)] : path + ".command";
                    throw new RuleFormatException(field, error);
                }

                return new RuleEffect(RuleEffectType.Command, kind, name, validArgs, sets);
            case "advisory":
                return new RuleEffect(RuleEffectType.Advisory, TwinKind.Bus, "display", Text: RequiredText(e, "text", path + ".text", 120));
            case "alert":
                JsonElement list = Required(e, "agencies", path + ".agencies");
                if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
                {
                    throw new RuleFormatException(path + ".agencies", "'agencies' must be a non-empty array of agency names");
                }

                var agencies = new List<string>();
                int i = 0;
                foreach (JsonElement item in list.EnumerateArray())
                {
                    string agency = Text(item, $"{path}.agencies[{i}]");
                    if (cityAgencies is null ? !TwinIds.IsValid(agency) : !cityAgencies.Contains(agency, StringComparer.Ordinal))
                    {
                        throw new RuleFormatException($"{path}.agencies[{i}]", cityAgencies is null
                            ? $"'{agency}' is not an agency name"
                            : $"'{agency}' is not an agency; the agencies are {string.Join(", ", cityAgencies.Order(StringComparer.Ordinal))}");
                    }

                    agencies.Add(agency);
                    i++;
                }

                return new RuleEffect(RuleEffectType.Alert, Text: RequiredText(e, "text", path + ".text", 500), Agencies: [.. agencies]);
            default:
                throw new RuleFormatException(path + ".type", $"an effect's type is command, advisory or alert; not '{type}'");
        }
    }

    private static ActiveHours ParseHours(JsonElement h)
    {
        if (h.ValueKind == JsonValueKind.String && h.GetString() == "night")
        {
            return new ActiveHours(Night: true);
        }

        if (h.ValueKind != JsonValueKind.Object)
        {
            throw new RuleFormatException("activeHours", "'activeHours' is \"night\" or { \"from\": \"HH:mm\", \"to\": \"HH:mm\" } in the city's local time");
        }

        return new ActiveHours(false, Time(Required(h, "from", "activeHours.from"), "activeHours.from"), Time(Required(h, "to", "activeHours.to"), "activeHours.to"));
    }

    private static TimeOnly Time(JsonElement e, string path) =>
        e.ValueKind == JsonValueKind.String && TimeOnly.TryParseExact(e.GetString(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out TimeOnly t)
            ? t
            : throw new RuleFormatException(path, $"'{path}' must be a time of day as HH:mm");

    private static GeoBox Box(JsonElement w, string path)
    {
        if (w.ValueKind != JsonValueKind.Object)
        {
            throw new RuleFormatException(path, $"'{path}' must be {{ \"minLon\", \"minLat\", \"maxLon\", \"maxLat\" }}");
        }

        double Corner(string name) => w.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble()
            : throw new RuleFormatException($"{path}.{name}", $"'{path}.{name}' must be a number");
        var box = new GeoBox(Corner("minLon"), Corner("minLat"), Corner("maxLon"), Corner("maxLat"));
        return box.Problem() is string problem ? throw new RuleFormatException(path, problem) : box;
    }

    private static TwinKind Kind(JsonElement e, string path)
    {
        string text = Text(e, path);
        return TwinKinds.TryParse(text, out TwinKind kind)
            ? kind
            : throw new RuleFormatException(path, $"'{text}' is not a kind of twin; the kinds are streetlights, water-meters, road-sensors and buses");
    }

    private static double Seconds(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out JsonElement e))
        {
            return 0;
        }

        return e.ValueKind == JsonValueKind.Number && e.GetDouble() is >= 0 and <= MaxSeconds
            ? e.GetDouble()
            : throw new RuleFormatException(path, $"'{path}' must be a number of seconds from 0 to {MaxSeconds}");
    }

    private static double Metres(JsonElement e, string path) =>
        e.ValueKind == JsonValueKind.Number && e.GetDouble() is > 0 and <= MaxMetres
            ? e.GetDouble()
            : throw new RuleFormatException(path, $"'{path}' must be a number of metres above 0 and at most {MaxMetres}");

    private static bool Bool(JsonElement e, string path) =>
        e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : throw new RuleFormatException(path, $"'{path}' must be true or false");

    private static string Text(JsonElement e, string path) =>
        e.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(e.GetString()) ? e.GetString()! : throw new RuleFormatException(path, $"'{path}' must be a non-empty string");

    private static string RequiredText(JsonElement parent, string name, string path, int maxLength)
    {
        string text = Text(Required(parent, name, path), path);
        return text.Length <= maxLength ? text : throw new RuleFormatException(path, $"'{path}' is longer than {maxLength} characters");
    }

    private static string? OptionalText(JsonElement parent, string name, string path, int maxLength) =>
        parent.TryGetProperty(name, out JsonElement e) && e.ValueKind != JsonValueKind.Null ? RequiredText(parent, name, path, maxLength) : null;

    private static JsonElement Required(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out JsonElement e) ? e : throw new RuleFormatException(path, $"'{path}' is required");

    private sealed class RuleFormatException(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
    }
}
