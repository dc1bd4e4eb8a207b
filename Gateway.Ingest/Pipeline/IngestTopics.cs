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
            applicationId = SharedStrings.Get(t[parts[1]]);
            networkEvent = NetworkEvents.FromChirpStackName(t[parts[5]]);
            return networkEvent != NetworkEvent.Unknown;
        }

        if (count >= 5 && t[parts[0]].SequenceEqual("v3") && t[parts[2]].SequenceEqual("devices"))
        {
            server = NetworkServer.TheThingsStack;
            applicationId = SharedStrings.Get(t[parts[1]]);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Whether a topic carries an event from a network server that ingest takes: it matches one of
    /// <see cref="All"/> and is not a downlink TwinCity itself asks The Things Stack to send
    /// (<c>down/push</c>, <c>down/replace</c>, which share the <c>down/+</c> filter with the network
    /// server's downlink events).
    /// </summary>
    public static bool IsNetworkServerEvent(string topic)
    {
        ReadOnlySpan<char> t = topic;
        Span<Range> parts = stackalloc Range[8];
        int count = t.Split(parts, '/');
        if (count == 6 && t[parts[0]].SequenceEqual("application") && t[parts[2]].SequenceEqual("device") && t[parts[4]].SequenceEqual("event"))
        {
            return true;
        }

        if (count >= 5 && t[parts[0]].SequenceEqual("v3") && t[parts[2]].SequenceEqual("devices"))
        {
            ReadOnlySpan<char> what = t[parts[4]];
            return count switch
            {
                5 => what.SequenceEqual("up") || what.SequenceEqual("join"),
                6 => what.SequenceEqual("down") && !IsDownlinkRequest(t[parts[5]]),
                _ => false,
            };
        }

        return false;
    }

    /// <summary>Whether a topic is a downlink TwinCity publishes to The Things Stack, not an event from it.</summary>
    public static bool IsDownlinkRequest(string topic)
    {
        ReadOnlySpan<char> t = topic;
        int last = t.LastIndexOf('/');
        return t.StartsWith("v3/") && last > 0 && t[..last].EndsWith("/down") && IsDownlinkRequest(t[(last + 1)..]);
    }

    /// <summary>
    /// The lane of a topic among <paramref name="lanes"/>: its device part hashed
    /// (<see cref="DeviceHash"/>), so that one device's messages always take the same lane and stay in order.
    /// </summary>
    public static int LaneOf(string topic, int lanes) => (int)(DeviceHash(topic) % (uint)lanes);

    /// <summary>
    /// A hash of the device part of a topic (the DevEUI of ChirpStack, the device id of The Things
    /// Stack), the same in every process and for any case of the DevEUI: it picks a device's lane and
    /// its owning silo.
    /// </summary>
    public static uint DeviceHash(string topic)
    {
        ReadOnlySpan<char> t = topic;
        int start = t.IndexOf("/device", StringComparison.Ordinal);
        if (start >= 0)
        {
            t = t[(start + 1)..];
            int slash = t.IndexOf('/');
            t = slash >= 0 ? t[(slash + 1)..] : t;
            int end = t.IndexOf('/');
            t = end >= 0 ? t[..end] : t;
        }

        return HashDevice(t);
    }

    /// <summary>The hash <see cref="DeviceHash"/> takes of the device part of a topic, given that part (case does not count).</summary>
    public static uint HashDevice(ReadOnlySpan<char> device)
    {
        uint hash = 2166136261;
        foreach (char c in device)
        {
            hash = (hash ^ char.ToLowerInvariant(c)) * 16777619;
        }

        return hash;
    }

    public static string ChirpStackDownlink(string applicationId, string devEui) => $"application/{applicationId}/device/{devEui.ToLowerInvariant()}/command/down";

    public static string TheThingsStackDownlink(string applicationId, string deviceId) => $"v3/{applicationId}/devices/{deviceId}/down/push";

    private static bool IsDownlinkRequest(ReadOnlySpan<char> last) => last.SequenceEqual("push") || last.SequenceEqual("replace");
}
