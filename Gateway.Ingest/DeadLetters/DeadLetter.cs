namespace TwinCity.Gateway.Ingest.DeadLetters;

/// <summary>A message ingest could not apply, kept with the reason so an operator can see and replay it.</summary>
/// <param name="Reason">A short stable code (see <see cref="DeadLetterReasons"/>).</param>
/// <param name="Detail">The specific problem, in words.</param>
/// <param name="Source">Where it came from: "mqtt" or "http", and which network server.</param>
public sealed record DeadLetter(
    DateTime At,
    string Reason,
    string Detail,
    string Source,
    string? Topic,
    string? DevEui,
    byte[] Payload);
