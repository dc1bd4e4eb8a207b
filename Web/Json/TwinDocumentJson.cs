using System.Text.Json;
using System.Text.Json.Serialization;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Json;

/// <summary>SignalR's writer for whole twin documents, in the same shape as <c>GET /twins/{kind}/{id}</c>.</summary>
public sealed class TwinDocumentJson : JsonConverter<TwinDocument>
{
    public override TwinDocument Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("twin documents are only written");

    public override void Write(Utf8JsonWriter writer, TwinDocument value, JsonSerializerOptions options) => TwinJson.WriteDocument(writer, value);
}
