using System.Text.Json;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// Builds downlink messages as each network server takes them over MQTT: ChirpStack v4's
/// <c>command/down</c> (its queue item id is the command id, so its ack events name the command) and
/// The Things Stack's <c>down/push</c> (the command id travels in the correlation ids).
/// </summary>
public static class DownlinkMessages
{
    public static bool TryBuild(DownlinkRequest request, CodecRegistry codecs, DownlinkOptions options, out string topic, out byte[] payload, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(codecs);
        ArgumentNullException.ThrowIfNull(options);
        topic = string.Empty;
        payload = [];
        byte[]? frame = null;
        int fPort = options.DefaultFPort;
        if (codecs.TryGet(request.Codec, out IPayloadCodec? codec) && codec is IDownlinkEncoder encoder
            && encoder.TryEncode(request.CommandName, request.Sets, out byte[] encoded, out int encodedPort))
        {
            frame = encoded;
            fPort = encodedPort;
        }

        string devEui = DevEui.Format(request.DevEui);
        NetworkServer server = request.Server;
        string? application = request.ApplicationId;
        if (server == NetworkServer.Unknown && options.DefaultChirpStackApplicationId is { } fallback)
        {
            server = NetworkServer.ChirpStack;
            application = fallback;
        }

        if ((NetworkIds.Problem("application id", application) ?? (server == NetworkServer.TheThingsStack ? NetworkIds.Problem("device id", request.DeviceId) : null)) is { } unsafeId)
        {
            // Never a topic built from an id that could name another one ('+', '#', '/').
            problem = $"device {devEui}: {unsafeId}, so no downlink topic is built from it";
            return false;
        }

        switch (server)
        {
            case NetworkServer.ChirpStack when application is not null:
                topic = IngestTopics.ChirpStackDownlink(application, devEui);
                payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
                {
                    ["id"] = request.CommandId,
                    ["devEui"] = devEui.ToLowerInvariant(),
                    ["confirmed"] = options.Confirmed,
                    ["fPort"] = fPort,
                    [frame is null ? "object" : "data"] = frame is null ? DecodedObject(request) : Convert.ToBase64String(frame),
                });
                problem = null;
                return true;
            case NetworkServer.TheThingsStack when application is not null && request.DeviceId is not null:
                topic = IngestTopics.TheThingsStackDownlink(application, request.DeviceId);
                var downlink = new Dictionary<string, object?>
                {
                    ["f_port"] = fPort,
                    ["confirmed"] = options.Confirmed,
                    ["priority"] = "NORMAL",
                    ["correlation_ids"] = new[] { TheThingsStackParser.CorrelationPrefix + request.CommandId },
                };
                downlink[frame is null ? "decoded_payload" : "frm_payload"] = frame is null ? DecodedObject(request) : Convert.ToBase64String(frame);
                payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?> { ["downlinks"] = new[] { downlink } });
                problem = null;
                return true;
            default:
                problem = $"device {devEui} has not been heard yet, so its network server and application are not known";
                return false;
        }
    }

    /// <summary>
    /// The command as the network server's codec would take it: its name, its arguments and the values
    /// it sets. The arguments are the twin's validated ones (CommandCatalog); the name is written last
    /// and no argument may take its place.
    /// </summary>
    private static Dictionary<string, object?> DecodedObject(DownlinkRequest request)
    {
        var decoded = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (request.ArgsJson is { Length: > 0 } args)
        {
            using JsonDocument doc = JsonDocument.Parse(args);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty p in doc.RootElement.EnumerateObject())
                {
                    if (p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number or JsonValueKind.String)
                    {
                        decoded[p.Name] = p.Value.Clone();
                    }
                }
            }
        }

        foreach (Reading set in request.Sets)
        {
            decoded[PropertyCatalog.NameOf(set.Property)] = set.Value.Type switch
            {
                PropertyType.Bool => set.Value.AsBool,
                PropertyType.Number => set.Value.Number,
                _ => set.Value.Text,
            };
        }

        decoded["command"] = request.CommandName;
        return decoded;
    }
}
