namespace TwinCity.Web.Auth;

/// <summary>One agency of the city (<c>Access:Agencies:{name}</c>): what its keys and tokens may do.</summary>
public sealed class AgencyOptions
{
    /// <summary>One of <see cref="AccessRoles.All"/>; <see cref="AccessRoles.Agency"/> when unset.</summary>
    public string? Role { get; set; }

    /// <summary>The twin kinds the agency commands, by URL name (<c>streetlights</c>); only for the <see cref="AccessRoles.Agency"/> role.</summary>
    public List<string> Kinds { get; set; } = [];
}
