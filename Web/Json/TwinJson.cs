using System.Globalization;
using System.Text.Json;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Json;

/// <summary>
/// Writes twin documents in the shape API.md gives, straight to a <see cref="Utf8JsonWriter"/>:
/// no intermediate dictionaries and no reflection.
/// </summary>
public static class TwinJson
{
    public static string StatusName(TwinStatus status) => status switch
    {
        TwinStatus.Online => "online",
        TwinStatus.Offline => "offline",
        _ => "unknown",
    };

    public static string StatusName(CommandStatus status) => status switch
    {
        CommandStatus.Pending => "pending",
        CommandStatus.Sent => "sent",
        CommandStatus.Acked => "acked",
        CommandStatus.Confirmed => "confirmed",
        CommandStatus.Failed => "failed",
        CommandStatus.Expired => "expired",
        CommandStatus.Superseded => "superseded",
        _ => "unknown",
    };

    public static void WriteDocument(Utf8JsonWriter w, TwinDocument doc)
    {
        w.WriteStartObject();
        w.WriteString("kind", doc.Kind.ToUrlName());
        w.WriteString("id", doc.Id);
        if (doc.DevEui is null)
        {
            w.WriteNull("devEui");
        }
        else
        {
            w.WriteString("devEui", doc.DevEui);
        }

        if (doc.Name is not null)
        {
            w.WriteString("name", doc.Name);
        }

        w.WriteNumber("version", doc.Version);
        w.WriteString("status", StatusName(doc.Status));
        WriteTime(w, "lastSeen", doc.LastSeen);
        w.WriteStartObject("position");
        w.WriteNumber("lat", doc.Position.Lat);
        w.WriteNumber("lon", doc.Position.Lon);
        w.WriteEndObject();
        w.WriteNumber("reportingIntervalSeconds", doc.ReportingIntervalSeconds);

        w.WriteStartObject("reported");
        foreach (ReportedValue r in doc.Reported)
        {
            w.WriteStartObject(PropertyCatalog.NameOf(r.Property));
            WriteValue(w, "value", r.Value);
            WriteTime(w, "at", r.At);
            w.WriteEndObject();
        }

        w.WriteEndObject();

        w.WriteStartObject("desired");
        foreach (DesiredValue d in doc.Desired)
        {
            w.WriteStartObject(PropertyCatalog.NameOf(d.Property));
            WriteValue(w, "value", d.Value);
            w.WriteString("by", d.By);
            WriteTime(w, "at", d.At);
            w.WriteEndObject();
        }

        w.WriteEndObject();

        w.WriteStartObject("delta");
        foreach (DesiredValue d in doc.Delta)
        {
            WriteValue(w, PropertyCatalog.NameOf(d.Property), d.Value);
        }

        w.WriteEndObject();

        w.WriteStartObject("radio");
        if (doc.Radio?.Rssi is int rssi)
        {
            w.WriteNumber("rssi", rssi);
        }

        if (doc.Radio?.Snr is double snr)
        {
            w.WriteNumber("snr", snr);
        }

        if (doc.Radio?.Gateway is string gateway)
        {
            w.WriteString("gateway", gateway);
        }

        if (doc.FCnt is uint fcnt)
        {
            w.WriteNumber("fCnt", fcnt);
        }

        w.WriteEndObject();

        w.WriteStartArray("commands");
        foreach (CommandInfo c in doc.Commands)
        {
            WriteCommand(w, c);
        }

        w.WriteEndArray();
        if (doc.Log is { Count: > 0 })
        {
            w.WriteStartArray("log");
            foreach (DeviceLogEntry entry in doc.Log)
            {
                w.WriteStartObject();
                WriteTime(w, "at", entry.At);
                w.WriteString("level", entry.Level);
                w.WriteString("code", entry.Code);
                w.WriteString("description", entry.Description);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        WriteTime(w, "changedAt", doc.ChangedAt);
        w.WriteEndObject();
    }

    public static void WriteCommand(Utf8JsonWriter w, CommandInfo c)
    {
        w.WriteStartObject();
        w.WriteString("id", c.Id);
        w.WriteString("name", c.Name);
        w.WriteString("status", StatusName(c.Status));
        w.WriteString("by", c.By);
        WriteTime(w, "createdAt", c.CreatedAt);
        WriteTime(w, "updatedAt", c.UpdatedAt);
        WriteTime(w, "expiresAt", c.ExpiresAt);
        if (c.Reason is not null)
        {
            w.WriteString("reason", c.Reason);
        }

        w.WriteStartObject("sets");
        foreach (Reading r in c.Sets)
        {
            WriteValue(w, PropertyCatalog.NameOf(r.Property), r.Value);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void WriteValue(Utf8JsonWriter w, string name, PropertyValue value)
    {
        switch (value.Type)
        {
            case PropertyType.Bool:
                w.WriteBoolean(name, value.Number != 0);
                break;
            case PropertyType.Text:
                w.WriteString(name, value.Text);
                break;
            default:
                w.WriteNumber(name, value.Number);
                break;
        }
    }

    public static void WriteTime(Utf8JsonWriter w, string name, DateTime? at)
    {
        if (at is DateTime t && t != default)
        {
            w.WriteString(name, FormatTime(t));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static string FormatTime(DateTime t) =>
        DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads a JSON value as a property value of the given type, or returns the reason it does not fit.</summary>
    public static string? TryReadValue(JsonElement element, PropertyInfo info, out PropertyValue value)
    {
        value = default;
        switch (info.Type)
        {
            case PropertyType.Bool when element.ValueKind is JsonValueKind.True or JsonValueKind.False:
                value = PropertyValue.Of(element.GetBoolean());
                break;
            case PropertyType.Number when element.ValueKind == JsonValueKind.Number:
                value = PropertyValue.Of(element.GetDouble());
                break;
            case PropertyType.Text when element.ValueKind == JsonValueKind.String:
                value = PropertyValue.Of(element.GetString()!);
                break;
            default:
                return $"'{info.Name}' takes {TypeName(info.Type)}, not {element.ValueKind.ToString().ToLowerInvariant()}";
        }

        return info.Validate(value);
    }

    private static string TypeName(PropertyType type) => type switch
    {
        PropertyType.Bool => "true or false",
        PropertyType.Number => "a number",
        _ => "a string",
    };
}
