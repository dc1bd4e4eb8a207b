namespace TwinCity.Web.Auth;

/// <summary>
/// What an agency's keys and tokens may do (<c>Access:Agencies:{name}:Role</c>). The role, not the
/// agency's name, decides the policies; an agency's kinds decide which twins it commands.
/// </summary>
public static class AccessRoles
{
    /// <summary>Reads all twins and commands the kinds its agency owns.</summary>
    public const string Agency = "agency";

    /// <summary>The city's operators: devices, rules, the cluster, ingest's dead letters; reads everything, commands nothing.</summary>
    public const string Operator = "operator";

    /// <summary>A network server: may only post uplinks to <c>/api/v1/ingest</c>.</summary>
    public const string Network = "network";

    /// <summary>Reads twins, their history and commands; commands nothing. A key or token may narrow any reading role to this.</summary>
    public const string Reader = "reader";

    public static readonly IReadOnlyList<string> All = [Agency, Operator, Network, Reader];

    /// <summary>The roles that read twins.</summary>
    public static readonly IReadOnlyList<string> Readers = [Agency, Operator, Reader];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);

    public static bool Reads(string? role) => role is not null && Readers.Contains(role, StringComparer.Ordinal);

    /// <summary>
    /// The role a key or token that asks for <paramref name="asked"/> gets in an agency of role
    /// <paramref name="agencyRole"/>: its own role, or <see cref="Reader"/> where the agency reads.
    /// Never more than the agency has; null when the request is not one the agency may grant.
    /// </summary>
    public static string? Effective(string agencyRole, string? asked)
    {
        if (string.IsNullOrEmpty(asked) || string.Equals(asked, agencyRole, StringComparison.Ordinal))
        {
            return agencyRole;
        }

        return asked == Reader && Reads(agencyRole) ? Reader : null;
    }
}
