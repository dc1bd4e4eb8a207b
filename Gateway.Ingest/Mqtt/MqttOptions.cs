using System.ComponentModel.DataAnnotations;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>Configuration section "Mqtt": the broker ingest subscribes to and publishes downlinks on.</summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    /// <summary>The broker's host. Unset in the embedded city: an in-process broker then listens on <see cref="Port"/>.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>The host to connect to: <see cref="Host"/>, or this machine's loopback where the in-process broker listens.</summary>
    public string BrokerHost => Host ?? "127.0.0.1";

    /// <summary>The broker as messages name it, host and port.</summary>
    public string BrokerEndpoint => $"{BrokerHost}:{Port}";

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>
    /// A fixed client id, so that the broker keeps this silo's session (and the messages queued for
    /// it) across reconnects and restarts. Defaults to "twincity-{machine}-{silo port}".
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>In cluster mode, the shared-subscription group ("$share/{group}/...") that splits uplinks between silos.</summary>
    public string? SharedGroup { get; set; }

    /// <summary>
    /// How many messages this silo takes from the broker and holds unacknowledged while it applies them
    /// (its window). A small window keeps the latency of a busy silo short and the broker's lists of
    /// messages in flight short; messages that wait for a silo that does not answer leave it
    /// (<see cref="WaitingForSilentSilos"/>).
    /// </summary>
    [Range(1, 65535)]
    public int InFlight { get; set; } = 1000;

    /// <summary>
    /// Cluster mode: how many more messages this silo holds, unacknowledged, while they wait for another
    /// silo that owns their devices and has not answered for <c>Ingest:SilentOwnerAfter</c> (hung, or
    /// dying and not yet declared dead). They stop counting against <see cref="InFlight"/>, so that this
    /// silo keeps applying its own devices' uplinks through the seconds the cluster takes to declare the
    /// other dead; beyond this many the window fills as it would without them. The broker is asked for
    /// both together as its receive maximum (at most 65,535).
    /// </summary>
    [Range(0, 1_000_000)]
    public int WaitingForSilentSilos { get; set; } = 20_000;

    /// <summary>What the broker is asked to keep in flight to this silo at most: the window and the messages waiting beside it.</summary>
    public ushort ReceiveMaximum => (ushort)Math.Min(65535, (long)InFlight + WaitingForSilentSilos);

    /// <summary>
    /// How many lanes apply uplinks side by side (one device's uplinks always take the same lane, in
    /// order). A lane applies one message at a time, so ingest takes at most (lanes / time to apply
    /// one) a second: on a busy silo an apply takes a few milliseconds of Orleans scheduling, and at
    /// 64 lanes that capped ingest near 10,000 /s, so that a city sending that much stayed behind
    /// after every collection pause. A lane is one small task and channel.
    /// </summary>
    [Range(1, 4096)]
    public int Lanes { get; set; } = 256;

    /// <summary>How long the broker keeps this silo's session while it is away.</summary>
    [Range(0, int.MaxValue)]
    public int SessionExpirySeconds { get; set; } = 24 * 3600;

    /// <summary>The longest wait between reconnect attempts (the wait doubles from 250 ms up to this).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether ingest subscribes at all (a silo may run without taking uplinks).</summary>
    public bool Subscribe { get; set; } = true;

    /// <summary>
    /// With the embedded broker: ingest takes network-server events inside the broker rather than over
    /// an MQTT connection of its own (see <see cref="BrokerHandoff"/>). Off, they go through the broker
    /// like any subscriber's, which lets other MQTT clients watch them too.
    /// </summary>
    public bool InProcess { get; set; } = true;

    /// <summary>TLS to an outside broker ("Mqtt:Tls"); the embedded broker listens on loopback without it.</summary>
    public MqttTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// The network servers' applications this broker connection takes events for (ChirpStack
    /// application ids, The Things Stack "app@tenant" or "app" for any tenant); an event whose topic
    /// names another is dead-lettered. Empty: every application, for a broker that only the city's
    /// network servers may publish to (its ACL is then the boundary).
    /// </summary>
    public List<string> Applications { get; set; } = [];

    public bool Embedded => string.IsNullOrWhiteSpace(Host);
}
