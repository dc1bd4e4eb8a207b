using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>The MQTT topics of the network servers (API.md, "MQTT").</summary>
public static class IngestTopics
{
    public const string ChirpStackEvents = "application/+/device/+/event/+";
    public const string TheThingsStackUp = "v3/+/devices/+/up";
    public const string TheThingsStackJoin = "v3/+/devices/+/join";
    public const string TheThingsStackDown = "v3/+/devices/+/down/+";

    public static readonly IReadOnlyList<string> All = [ChirpStackEvents, TheThingsStackUp, TheThingsStackJoin, TheThingsStackDown];

    /// <summary>
    /// Recognises a topic: <c>application/{app}/device/{devEui}/event/{event}</c> (ChirpStack v4) or
    /// <c>v3/{app}@{tenant}/devices/{device}/...</c> (The Things Stack v3).
    /// </summary>
    public static bool TryParse(string topic, out NetworkServer server, out NetworkEvent networkEvent, out string? applicationId)
    {
        server = NetworkServer.Unknown;
        networkEvent = NetworkEvent.Unknown;
        applicationId = null;
        ReadOnlySpan<char> t = topic;
        Span<Range> parts = stackalloc Range[8];
        int count = t.Split(parts, '/');
        if (count == 6 && t[parts[0]].SequenceEqual("application") && t[parts[2]].SequenceEqual("device") && t[parts[4]].SequenceEqual("event"))
        {
            server = NetworkServer.ChirpStack;
            applicationId = topic[parts[1]];
            networkEvent = NetworkEvents.FromChirpStackName(t[parts[5]]);
            return networkEvent != NetworkEvent.Unknown;
        }

        if (count >= 5 && t[parts[0]].SequenceEqual("v3") && t[parts[2]].SequenceEqual("devices"))
        {
            server = NetworkServer.TheThingsStack;
            applicationId = topic[parts[1]];
            return true;
        }

        return false;
    }

    public static string ChirpStackDownlink(string applicationId, string devEui) => $"application/{applicationId}/device/{devEui.ToLowerInvariant()}/command/down";

    public static string TheThingsStackDownlink(string applicationId, string deviceId) => $"v3/{applicationId}/devices/{deviceId}/down/push";
}
