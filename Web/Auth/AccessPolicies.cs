namespace TwinCity.Web.Auth;

/// <summary>
/// The authorization policies of the API (API.md, "Agencies and keys"). Endpoint groups name one of
/// these where they are mapped; handlers never check the caller themselves.
/// </summary>
public static class AccessPolicies
{
    /// <summary>Any agency's key: reads twins, their history and commands, the city, the audit (scoped to the agency).</summary>
    public const string Reader = "reader";

    /// <summary>The city's key: devices, rules, the cluster, ingest's dead letters and statistics.</summary>
    public const string Operator = "operator";

    /// <summary>The key of the agency that owns the twin kind in the route's <c>{kind}</c>.</summary>
    public const string Commander = "commander";

    /// <summary>A network server's key (ChirpStack HTTP integration, The Things Stack webhooks).</summary>
    public const string NetworkServer = "network";

    /// <summary>
    /// A map viewer on <c>/hubs/city</c>: any reader's key, or no key at all where the host allows
    /// anonymous viewers (the embedded city).
    /// </summary>
    public const string Viewer = "viewer";
}
