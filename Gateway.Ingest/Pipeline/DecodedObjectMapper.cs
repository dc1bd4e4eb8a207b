using System.Text.Json;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>
/// Applies a network server's decoded payload (ChirpStack <c>object</c>, TTS <c>decoded_payload</c>):
/// keys that are the twin's property names apply directly, other keys through the registration's
/// mapping; everything else is ignored. Keys that are properties of another kind are counted, so
/// that a frame meant for another kind of twin is recognised as such.
/// </summary>
public static class DecodedObjectMapper
{
    public static MapResult Map(JsonElement decoded, TwinKind kind, IReadOnlyDictionary<string, string>? mapping, List<Reading> output)
    {
        int foreign = 0;
        string? firstProblem = null;
        foreach (JsonProperty p in decoded.EnumerateObject())
        {
            string name = p.Name;
            if (mapping is not null && mapping.TryGetValue(name, out string? mapped))
            {
                name = mapped;
            }

            if (!PropertyCatalog.TryGet(name, out PropertyInfo? info))
            {
                continue;
            }

            if (!info.AppliesTo(kind))
            {
                foreign++;
                continue;
            }

            if (TryRead(p.Value, info, out PropertyValue value, out string? problem))
            {
                output.Add(new Reading(info.Property, value));
            }
            else
            {
                firstProblem ??= problem;
            }
        }

        return new MapResult(foreign, firstProblem);
    }

    private static bool TryRead(JsonElement element, PropertyInfo info, out PropertyValue value, out string? problem)
    {
        value = default;
        switch (info.Type)
        {
            case PropertyType.Bool when element.ValueKind is JsonValueKind.True or JsonValueKind.False:
                value = PropertyValue.Of(element.GetBoolean());
                break;
            case PropertyType.Bool when element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out double flag) && double.IsFinite(flag):
                value = PropertyValue.Of(flag != 0);
                break;
            case PropertyType.Number when element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out double number) && double.IsFinite(number):
                value = PropertyValue.Of(number);
                break;
            case PropertyType.Bool or PropertyType.Number when element.ValueKind == JsonValueKind.Number:
                problem = $"'{info.Name}' is a number no double can hold ({element.GetRawText()})";
                return false;
            case PropertyType.Text when element.ValueKind == JsonValueKind.String:
                value = PropertyValue.Of(element.GetString()!);
                break;
            case PropertyType.Text when element.ValueKind is JsonValueKind.True or JsonValueKind.False && info.Property == TwinProperty.Valve:
                value = PropertyValue.Of(element.GetBoolean() ? "open" : "closed");
                break;
            default:
                problem = $"'{info.Name}' has a {element.ValueKind.ToString().ToLowerInvariant()} value";
                return false;
        }

        problem = info.Validate(value);
        return problem is null;
    }

    public readonly record struct MapResult(int ForeignProperties, string? Problem);
}
