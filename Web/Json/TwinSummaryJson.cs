using System.Text.Json;
using System.Text.Json.Serialization;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Json;

/// <summary>
/// Writes a twin summary as the map reads it: <c>{ kind, id, version, lat, lon, status, values, at }</c>,
/// straight from the typed values (used by SignalR and by <c>GET /twins</c>).
/// </summary>
public sealed class TwinSummaryJson : JsonConverter<TwinSummary>
{
    public override TwinSummary Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("twin summaries are only written");

    public override void Write(Utf8JsonWriter writer, TwinSummary value, JsonSerializerOptions options) => WriteSummary(writer, value);

    public static void WriteSummary(Utf8JsonWriter w, TwinSummary s)
    {
        w.WriteStartObject();
        w.WriteString("kind", s.Kind.ToUrlName());
        w.WriteString("id", s.Id);
        w.WriteNumber("version", s.Version);
        w.WriteNumber("lat", s.Position.Lat);
        w.WriteNumber("lon", s.Position.Lon);
        w.WriteString("status", TwinJson.StatusName(s.Status));
        w.WriteStartObject("values");
        foreach (Reading r in s.Values)
        {
            TwinJson.WriteValue(w, PropertyCatalog.NameOf(r.Property), r.Value);
        }

        w.WriteEndObject();
        TwinJson.WriteTime(w, "at", s.At);
        w.WriteEndObject();
    }
}
