using System.Text.Json;
using System.Text.Json.Serialization;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Json;

/// <summary>Writes <c>ruleFired</c>: <c>{ rule, source, targets, at, message, lat, lon }</c>, twins as "kind/id".</summary>
public sealed class RuleFiredJson : JsonConverter<RuleFiredNotice>
{
    public override RuleFiredNotice Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("rule firings are only written");

    public override void Write(Utf8JsonWriter w, RuleFiredNotice value, JsonSerializerOptions options)
    {
        w.WriteStartObject();
        w.WriteString("rule", value.Rule);
        w.WriteString("source", value.Source.ToString());
        w.WriteStartArray("targets");
        foreach (TwinKey target in value.Targets)
        {
            w.WriteStringValue(target.ToString());
        }

        w.WriteEndArray();
        TwinJson.WriteTime(w, "at", value.At);
        w.WriteString("message", value.Message);
        w.WriteNumber("lat", value.Position.Lat);
        w.WriteNumber("lon", value.Position.Lon);
        w.WriteEndObject();
    }
}
