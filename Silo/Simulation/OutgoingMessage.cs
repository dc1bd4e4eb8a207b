namespace TwinCity.Silo.Simulation;

/// <summary>An event ready for the broker, and the device it is about (so a failed join can be retried).</summary>
internal readonly record struct OutgoingMessage(string Topic, byte[] Payload, OutgoingKind Kind, SimulatedDevice Device);
