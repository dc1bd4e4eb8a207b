namespace TwinCity.Grains.Interfaces.Rules;

public enum RuleEffectType : byte
{
    /// <summary>A command to the twins of one kind in scope.</summary>
    Command = 0,
    /// <summary>A message on the display of buses whose route passes through the scope.</summary>
    Advisory = 1,
    /// <summary>An alert to named agencies.</summary>
    Alert = 2,
}
