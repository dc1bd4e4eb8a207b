using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Auth;

/// <summary>An agency as the city knows it now: its name, its role and the kinds it commands.</summary>
public sealed record CityAgency(string Name, string Role, IReadOnlySet<TwinKind> Kinds)
{
    public bool Commands(TwinKind kind) => Role == AccessRoles.Agency && Kinds.Contains(kind);
}
