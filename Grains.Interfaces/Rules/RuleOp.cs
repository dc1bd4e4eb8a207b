namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>How a condition compares a twin's value (<c>changed</c> needs no value: any new value counts).</summary>
public enum RuleOp : byte
{
    Greater = 0,
    GreaterOrEqual = 1,
    Less = 2,
    LessOrEqual = 3,
    Equal = 4,
    NotEqual = 5,
    Changed = 6,
}
