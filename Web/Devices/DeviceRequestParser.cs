using System.Globalization;
using System.Text.Json;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Devices;

/// <summary>
/// Turns a device registration request (a JSON object, or a CSV row by its header) into a
/// <see cref="DeviceRegistration"/>, or a reason that names the field at fault.
/// </summary>
public sealed class DeviceRequestParser(ICodecCatalog? codecs, TimeProvider time)
{
    public const int MaxReportingIntervalSeconds = 7 * 24 * 3600;

    public static readonly string[] CsvColumns = ["devEui", "kind", "twinId", "name", "lat", "lon", "codec", "reportingIntervalSeconds", "route"];

    public bool TryRead(JsonElement body, out DeviceRegistration? registration, out string? error)
    {
        try
        {
            return TryReadObject(body, out registration, out error);
        }
        catch (InvalidOperationException ex)
        {
            // JSON can escape text that is not valid (a lone "\uD800"); reading it as a string throws.
            registration = null;
            error = $"a value is not valid text: {ex.Message}";
            return false;
        }
    }

    private bool TryReadObject(JsonElement body, out DeviceRegistration? registration, out string? error)
    {
        registration = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            error = "a device is a JSON object";
            return false;
        }

        var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Dictionary<string, string>? mapping = null;
        foreach (JsonProperty p in body.EnumerateObject())
        {
            if (string.Equals(p.Name, "mapping", StringComparison.OrdinalIgnoreCase))
            {
                if (p.Value.ValueKind != JsonValueKind.Object)
                {
                    error = "'mapping' must be an object of device names to twin property names";
                    return false;
                }

                mapping = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (JsonProperty m in p.Value.EnumerateObject())
                {
                    if (m.Value.ValueKind != JsonValueKind.String)
                    {
                        error = $"'mapping.{m.Name}' must be a property name";
                        return false;
                    }

                    mapping[m.Name] = m.Value.GetString()!;
                }

                continue;
            }

            fields[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                JsonValueKind.Number => p.Value.GetRawText(),
                JsonValueKind.Null => null,
                _ => "\u0000" + p.Value.ValueKind.ToString().ToLowerInvariant(),
            };
        }

        return TryBuild(fields, mapping, out registration, out error);
    }

    public bool TryBuild(IReadOnlyDictionary<string, string?> fields, IReadOnlyDictionary<string, string>? mapping, out DeviceRegistration? registration, out string? error)
    {
        registration = null;
        string? Field(string name) => fields.TryGetValue(name, out string? v) ? v?.Trim() : null;

        foreach ((string fieldName, string? value) in fields)
        {
            if (value is not null && value.StartsWith('\u0000'))
            {
                error = $"'{fieldName}' must be a string or a number, not {value[1..]}";
                return false;
            }
        }

        string? devEuiText = Field("devEui");
        if (string.IsNullOrEmpty(devEuiText))
        {
            error = "'devEui' is required";
            return false;
        }

        if (!DevEui.TryParse(devEuiText, out ulong devEui))
        {
            error = $"'devEui' must be 16 hex digits (separators '-' or ':' allowed), not '{devEuiText}'";
            return false;
        }

        if (!TwinKinds.TryParse(Field("kind"), out TwinKind kind))
        {
            error = $"'kind' must be one of streetlights, water-meters, road-sensors, buses, not '{Field("kind")}'";
            return false;
        }

        string? twinId = Field("twinId");
        if (!TwinIds.IsValid(twinId))
        {
            error = $"'twinId' must be letters, digits, '-', '_' or '.', at most {TwinIds.MaxLength}, not '{twinId}'";
            return false;
        }

        string name = Field("name") is { Length: > 0 } n ? n : twinId!;
        if (name.Length > 128)
        {
            error = "'name' is longer than 128 characters";
            return false;
        }

        if (!TryNumber(Field("lat"), "lat", -90, 90, out double lat, out error)
            || !TryNumber(Field("lon"), "lon", -180, 180, out double lon, out error))
        {
            return false;
        }

        string? codec = Field("codec");
        if (string.IsNullOrEmpty(codec))
        {
            error = "'codec' is required";
            return false;
        }

        if (codecs is not null && !codecs.Supports(codec, kind))
        {
            error = codecs.Names.Contains(codec, StringComparer.OrdinalIgnoreCase)
                ? $"codec '{codec}' does not decode {kind.ToUrlName()}"
                : $"'codec' must be one of {string.Join(", ", codecs.Names.Order(StringComparer.Ordinal))}, not '{codec}'";
            return false;
        }

        if (!TryNumber(Field("reportingIntervalSeconds"), "reportingIntervalSeconds", 1, MaxReportingIntervalSeconds, out double interval, out error))
        {
            return false;
        }

        if (mapping is not null)
        {
            foreach ((string from, string to) in mapping)
            {
                if (!PropertyCatalog.TryGet(kind, to, out _) && to != "position")
                {
                    error = $"'mapping.{from}' names '{to}', which is not a property of {kind.ToUrlName()}";
                    return false;
                }
            }
        }

        string? route = Field("route");
        if (route is { Length: 0 })
        {
            route = null;
        }

        registration = new DeviceRegistration(
            devEui, kind, twinId!, name, new GeoPoint(lat, lon), codec.ToLowerInvariant(), (int)interval, route, mapping, time.GetUtcNow().UtcDateTime);
        error = null;
        return true;
    }

    private static bool TryNumber(string? text, string name, double min, double max, out double value, out string? error)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            error = $"'{name}' is required";
            return false;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || double.IsNaN(value))
        {
            error = $"'{name}' must be a number, not '{text}'";
            return false;
        }

        if (value < min || value > max)
        {
            error = $"'{name}' must be between {min} and {max}, not {text}";
            return false;
        }

        error = null;
        return true;
    }
}
