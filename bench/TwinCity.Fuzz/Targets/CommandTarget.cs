using System.Text.Json;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Gateway.Ingest.Mqtt;
using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Fuzz.Targets;

/// <summary>
/// The body of <c>POST /twins/{kind}/{id}/commands</c> (with the kind in the body for the fuzzer):
/// checked against the catalogue as the endpoint checks it, and for an accepted command the downlink
/// built from the validated values for ChirpStack and The Things Stack. An accepted command whose
/// downlink carries anything but its catalogue's arguments, the values it sets and its own name is a
/// crash, as is an id that reaches a topic unchecked.
/// </summary>
public sealed class CommandTarget : IFuzzTarget
{
    private static readonly DownlinkOptions Options = new();

    public string Name => "command-arguments";

    public int MaxLength => 2048;

    public IReadOnlyList<byte[]> Corpus { get; } = JsonTokens.Of(
        """{"kind":"streetlights","name":"dim","args":{"level":50}}""",
        """{"kind":"streetlights","name":"switch","args":{"on":true}}""",
        """{"kind":"streetlights","name":"schedule","args":{"on":"18:30","off":"06:15","dimLevel":70}}""",
        """{"kind":"water-meters","name":"valve","args":{"state":"closed"}}""",
        """{"kind":"water-meters","name":"readNow"}""",
        """{"kind":"road-sensors","name":"setInterval","args":{"seconds":600}}""",
        """{"kind":"road-sensors","name":"mark","args":{"hazard":true,"dark":false}}""",
        """{"kind":"buses","name":"display","args":{"text":"Next stop: 28 May"}}""",
        """{"kind":"buses","name":"assignRoute","args":{"route":"125"},"app":"city-lights@baku","device":"bus-7"}""");

    public IReadOnlyList<byte[]> Dictionary { get; } = JsonTokens.With(
        "\"kind\":", "\"name\":", "\"args\":", "\"command\":", "\"level\":", "\"on\":", "\"off\":", "\"dimLevel\":", "\"state\":", "\"seconds\":",
        "\"hazard\":", "\"dark\":", "\"text\":", "\"route\":", "\"app\":", "\"device\":", "\"extra\":", "\"dim\"", "\"switch\"", "\"valve\"",
        "\"other\"", "\"+\"", "\"#\"", "\"a/b\"", "\"a@b@c\"", "\"25:00\"", "100.0000001", "-0", "1e400", "\"\\uDFFF\"", "\"\\u0000\"");

    public FuzzVerdict Check(ReadOnlySpan<byte> input)
    {
        JsonDocument body;
        try
        {
            body = JsonDocument.Parse(input.ToArray());
        }
        catch (JsonException ex)
        {
            return FuzzVerdict.Refuse($"The body is not valid JSON: {ex.Message}");
        }

        using (body)
        {
            JsonElement root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return FuzzVerdict.Refuse("The body must be an object");
            }

            TwinKind kind;
            string? name;
            Reading[] sets;
            string? validArgs;
            try
            {
                kind = root.TryGetProperty("kind", out JsonElement k) && k.ValueKind == JsonValueKind.String && TwinKinds.TryParse(k.GetString(), out TwinKind parsed) ? parsed : TwinKind.Streetlight;
                name = root.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                JsonElement args = root.TryGetProperty("args", out JsonElement a) ? a : default;
                if (!CommandCatalog.TryBuild(kind, name, args, out sets, out validArgs, out string? error))
                {
                    return FuzzVerdict.Refuse(error);
                }
            }
            catch (InvalidOperationException ex)
            {
                // As the endpoint answers it: JSON can escape text that is not valid (a lone "\uD800").
                return FuzzVerdict.Refuse($"A value in the body is not valid text: {ex.Message}");
            }

            {
                // What the twin does again with what it is given.
                if (!CommandCatalog.TryValidate(kind, name!, validArgs, out string? again, out string? problem) || again != validArgs)
                {
                    throw new InvalidDataException($"validated arguments {validArgs} do not validate again the same ({again}, {problem})");
                }

                string app = Text(root, "app") ?? "city";
                string device = Text(root, "device") ?? "dev-1";
                HashSet<string> allowed = [.. CommandCatalog.ArgumentsOf(kind, name!), .. sets.Select(s => PropertyCatalog.NameOf(s.Property)), "command"];
                foreach (NetworkServer server in new[] { NetworkServer.ChirpStack, NetworkServer.TheThingsStack })
                {
                    var request = new DownlinkRequest(0x70B3D57ED0000001, "cmd-1", name!, sets, validArgs, null, server, app, device);
                    if (!DownlinkMessages.TryBuild(request, CodecRegistry.Default, Options, out string topic, out byte[] payload, out string? refused))
                    {
                        if (refused is null)
                        {
                            throw new InvalidDataException("a downlink refused without a reason");
                        }

                        continue;
                    }

                    if (topic.Contains('+', StringComparison.Ordinal) || topic.Contains('#', StringComparison.Ordinal) || topic.Split('/').Length != (server == NetworkServer.ChirpStack ? 6 : 6))
                    {
                        throw new InvalidDataException($"downlink topic '{topic}' was built from an unchecked id");
                    }

                    using JsonDocument downlink = JsonDocument.Parse(payload);
                    JsonElement decoded = server == NetworkServer.ChirpStack
                        ? downlink.RootElement.GetProperty("object")
                        : downlink.RootElement.GetProperty("downlinks")[0].GetProperty("decoded_payload");
                    foreach (JsonProperty p in decoded.EnumerateObject())
                    {
                        if (!allowed.Contains(p.Name))
                        {
                            throw new InvalidDataException($"the downlink carries '{p.Name}', which the catalogue does not give {name}");
                        }
                    }

                    if (decoded.GetProperty("command").GetString() != name)
                    {
                        throw new InvalidDataException($"the downlink names command '{decoded.GetProperty("command").GetString()}', not {name}");
                    }
                }

                return FuzzVerdict.Accept;
            }
        }
    }

    /// <summary>A string member as the twin would hold it, or null when there is none or it is not valid text.</summary>
    private static string? Text(JsonElement root, string name)
    {
        try
        {
            return root.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
