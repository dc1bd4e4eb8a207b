namespace TwinCity.Grains.Interfaces.Audit;

/// <summary>The <see cref="AuditEntry.Action"/> names, so that every writer spells them alike.</summary>
public static class AuditActions
{
    /// <summary>A command refused before its name was read (the caller may not command the kind); accepted ones are "command.{name}".</summary>
    public const string Command = "command";

    public const string CommandPrefix = "command.";

    public const string DeviceRegister = "device.register";

    public const string DeviceDelete = "device.delete";

    public const string RulePut = "rule.put";

    public const string RuleDelete = "rule.delete";
}
