namespace TwinCity.Grains.Interfaces.Commands;

/// <summary>How a twin answered a command request.</summary>
public enum CommandOutcome : byte
{
    /// <summary>A new command was created.</summary>
    Accepted = 0,
    /// <summary>The idempotency key was seen before: the first command is returned.</summary>
    Repeated = 1,
    /// <summary>If-Match named another version.</summary>
    VersionMismatch = 2,
    /// <summary>The twin has no device or does not exist.</summary>
    NotProvisioned = 3,
    /// <summary>OnlyIfHeldBy no longer holds: someone else changed the values since.</summary>
    NotHeld = 4,
    /// <summary>A rule's command refused: the owning agency took over these values during the rule's effect.</summary>
    Overridden = 5,
    /// <summary>The device's or the city's downlink budget is spent: try again after <see cref="CommandResult.RetryAfter"/>.</summary>
    Throttled = 6,
    /// <summary>The idempotency key was used before with another command: nothing was done.</summary>
    KeyReused = 7,
    /// <summary>
    /// The twin could not record the command (its storage failed): nothing was sent and the twin went
    /// back to what it had recorded. Try again after <see cref="CommandResult.RetryAfter"/>.
    /// </summary>
    Unavailable = 8,
}
