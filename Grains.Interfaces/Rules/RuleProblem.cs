namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>Why a rule was refused: the field at fault (a path such as <c>trigger.any[0].op</c>) and the reason.</summary>
public sealed record RuleProblem(string Field, string Message);
