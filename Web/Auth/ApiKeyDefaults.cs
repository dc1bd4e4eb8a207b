namespace TwinCity.Web.Auth;

/// <summary>Names of the API-key scheme on the wire.</summary>
public static class ApiKeyDefaults
{
    public const string Scheme = "ApiKey";

    public const string Header = "X-Api-Key";

    /// <summary>Browsers cannot set headers on a WebSocket, so the hub also takes the key from the query.</summary>
    public const string QueryParameter = "access_token";
}
