namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// How ingest takes network-server messages from MQTT: over a connection to the broker
/// (<see cref="MqttIngestConsumer"/>), or inside the embedded broker itself (<see cref="BrokerHandoff"/>).
/// </summary>
public interface IMqttIntake
{
    /// <summary>Messages taken from the broker since start.</summary>
    long Received { get; }

    /// <summary>Messages taken and not yet applied, acknowledged or let go.</summary>
    long Pending { get; }

    /// <summary>The most <see cref="Pending"/> has been since start.</summary>
    long PeakPending { get; }

    /// <summary>How long ingest has been unable to take messages: zero while it can.</summary>
    TimeSpan Disconnected { get; }
}
