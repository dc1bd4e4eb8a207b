namespace TwinCity.Silo.Simulation;

/// <summary>The ChirpStack events the simulator publishes.</summary>
internal enum OutgoingKind
{
    Join,
    Up,
    TxAck,
    Ack,
}
