namespace TwinCity.Bench.Rig;

/// <summary>Which MQTT broker carries the uplinks.</summary>
public enum BrokerKind
{
    /// <summary>The silo's own MQTTnet broker (Gateway.Ingest/Mqtt/EmbeddedBroker.cs), as the embedded city runs.</summary>
    Embedded,

    /// <summary>Debian's mosquitto started by the bench on a free port, configured as a deployment should be.</summary>
    Mosquitto,
}
