namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>The lifecycle of a command: pending → sent → acked → confirmed, or failed / expired / superseded.</summary>
public enum CommandStatus : byte
{
    Pending = 0,
    Sent = 1,
    Acked = 2,
    Confirmed = 3,
    Failed = 4,
    Expired = 5,
    Superseded = 6,
}
