namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>Where a rule's effect reaches, seen from the twin that fired it.</summary>
public enum RuleScopeType : byte
{
    /// <summary>The twins in the same cell of the city grid.</summary>
    Cell = 0,
    /// <summary>The twins within a radius in metres.</summary>
    Radius = 1,
    /// <summary>For a bus: the twins along the next stretch of its route, ahead of it.</summary>
    RouteAhead = 2,
}
