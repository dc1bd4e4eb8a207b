using System.Globalization;
using System.Text.Json;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Json;

/// <summary>Writes rules and their firings in the format <c>PUT /api/v1/rules/{id}</c> reads (docs/rules.md).</summary>
public static class RuleJson
{
    public static void WriteRule(Utf8JsonWriter w, RuleDefinition rule)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(rule);
        w.WriteStartObject();
        w.WriteString("id", rule.Id);
        if (rule.Description is not null)
        {
            w.WriteString("description", rule.Description);
        }

        w.WriteBoolean("enabled", rule.Enabled);
        WriteTrigger(w, rule.Trigger);
        w.WriteStartObject("scope");
        switch (rule.Scope.Type)
        {
            case RuleScopeType.Cell:
                w.WriteString("type", "cell");
                break;
            case RuleScopeType.Radius:
                w.WriteString("type", "radius");
                w.WriteNumber("metres", rule.Scope.Metres);
                break;
            default:
                w.WriteString("type", "routeAhead");
                w.WriteNumber("metres", rule.Scope.Metres);
                w.WriteNumber("widthMetres", rule.Scope.WidthMetres);
                break;
        }

        w.WriteEndObject();
        w.WriteStartArray("effects");
        foreach (RuleEffect effect in rule.Effects)
        {
            WriteEffect(w, effect);
        }

        w.WriteEndArray();
        w.WriteNumber("durationSeconds", rule.DurationSeconds);
        w.WriteNumber("cooldownSeconds", rule.CooldownSeconds);
        if (rule.ActiveHours is { Night: true })
        {
            w.WriteString("activeHours", "night");
        }
        else if (rule.ActiveHours is { From: TimeOnly from, To: TimeOnly to })
        {
            w.WriteStartObject("activeHours");
            w.WriteString("from", from.ToString("HH:mm", CultureInfo.InvariantCulture));
            w.WriteString("to", to.ToString("HH:mm", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        w.WriteBoolean("endWhenCleared", rule.EndWhenCleared);
        w.WriteNumber("version", rule.Version);
        TwinJson.WriteTime(w, "updatedAt", rule.UpdatedAt == default ? null : rule.UpdatedAt);
        w.WriteEndObject();
    }

    public static void WriteFiring(Utf8JsonWriter w, RuleFiring firing)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(firing);
        w.WriteStartObject();
        w.WriteString("rule", firing.Rule);
        w.WriteString("source", firing.Source.ToString());
        w.WriteStartArray("targets");
        foreach (TwinKey target in firing.Targets)
        {
            w.WriteStringValue(target.ToString());
        }

        w.WriteEndArray();
        w.WriteStartArray("alerted");
        foreach (string agency in firing.Alerted)
        {
            w.WriteStringValue(agency);
        }

        w.WriteEndArray();
        TwinJson.WriteTime(w, "at", firing.At);
        w.WriteString("message", firing.Message);
        w.WriteNumber("lat", firing.Position.Lat);
        w.WriteNumber("lon", firing.Position.Lon);
        w.WriteNumber("depth", firing.Depth);
        if (firing.Stopped is not null)
        {
            w.WriteString("stopped", firing.Stopped);
        }

        w.WriteEndObject();
    }

    private static void WriteTrigger(Utf8JsonWriter w, RuleTrigger trigger)
    {
        w.WriteStartObject("trigger");
        w.WriteString("kind", trigger.Kind.ToUrlName());
        w.WriteStartArray(trigger.All ? "all" : "any");
        foreach (RuleCondition c in trigger.Conditions)
        {
            w.WriteStartObject();
            w.WriteString("property", PropertyCatalog.NameOf(c.Property));
            w.WriteString("op", c.Op switch
            {
                RuleOp.Greater => ">",
                RuleOp.GreaterOrEqual => ">=",
                RuleOp.Less => "<",
                RuleOp.LessOrEqual => "<=",
                RuleOp.Equal => "==",
                RuleOp.NotEqual => "!=",
                _ => "changed",
            });
            if (c.Value is PropertyValue value)
            {
                TwinJson.WriteValue(w, "value", value);
            }

            if (c.ForSeconds > 0)
            {
                w.WriteNumber("forSeconds", c.ForSeconds);
            }

            if (c.Hysteresis > 0)
            {
                w.WriteNumber("hysteresis", c.Hysteresis);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (trigger.Within is GeoBox box)
        {
            w.WriteStartObject("within");
            w.WriteNumber("minLon", box.MinLon);
            w.WriteNumber("minLat", box.MinLat);
            w.WriteNumber("maxLon", box.MaxLon);
            w.WriteNumber("maxLat", box.MaxLat);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteEffect(Utf8JsonWriter w, RuleEffect effect)
    {
        w.WriteStartObject();
        switch (effect.Type)
        {
            case RuleEffectType.Command:
                w.WriteString("type", "command");
                w.WriteString("kind", effect.Kind.ToUrlName());
                w.WriteString("command", effect.Command);
                if (effect.ArgsJson is not null)
                {
                    w.WritePropertyName("args");
                    using JsonDocument args = JsonDocument.Parse(effect.ArgsJson);
                    args.RootElement.WriteTo(w);
                }

                break;
            case RuleEffectType.Advisory:
                w.WriteString("type", "advisory");
                w.WriteString("text", effect.Text);
                break;
            default:
                w.WriteString("type", "alert");
                w.WriteStartArray("agencies");
                foreach (string agency in effect.Agencies ?? [])
                {
                    w.WriteStringValue(agency);
                }

                w.WriteEndArray();
                w.WriteString("text", effect.Text);
                break;
        }

        w.WriteEndObject();
    }
}
