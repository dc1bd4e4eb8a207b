namespace TwinCity.Web.Auth;

/// <summary>
/// The authorization policies of the API (API.md, "Agencies and keys"; docs/authorization.md has the
/// whole table). Endpoint groups name one of these where they are mapped; handlers never check the
/// caller themselves. Policies look at the caller's role (<see cref="AccessRoles"/>), whether it
/// came with a key or a token.
/// </summary>
public static class AccessPolicies
{
    /// <summary>Roles agency, operator and reader: reads twins, their history and commands, the city, the audit (scoped to the agency).</summary>
    public const string Reader = "reader";

    /// <summary>Role operator (the city): devices, rules, the cluster, ingest's dead letters and statistics.</summary>
    public const string Operator = "operator";

    /// <summary>Role agency, of an agency whose kinds include the route's <c>{kind}</c>.</summary>
    public const string Commander = "commander";

    /// <summary>Role network: a network server (ChirpStack HTTP integration, The Things Stack webhooks).</summary>
    public const string NetworkServer = "network";

    /// <summary>
    /// A map viewer on <c>/hubs/city</c>: any reading role, or no credential at all from this machine
    /// where the host allows anonymous viewers (the embedded city).
    /// </summary>
    public const string Viewer = "viewer";
}
