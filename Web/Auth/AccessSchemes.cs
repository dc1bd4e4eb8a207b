using Microsoft.AspNetCore.Http;
using TwinCity.Web.Hubs;

namespace TwinCity.Web.Auth;

/// <summary>
/// The authentication schemes: an API key (<c>X-Api-Key</c>) or a bearer token from the city's identity
/// provider (<c>Authorization: Bearer</c>), chosen per request by what the request carries.
/// </summary>
public static class AccessSchemes
{
    /// <summary>The default scheme: forwards to <see cref="ApiKeyDefaults.Scheme"/> or <see cref="Token"/>.</summary>
    public const string Default = "TwinCity";

    /// <summary>JWT bearer tokens.</summary>
    public const string Token = "Bearer";

    /// <summary>
    /// A request with a key header is a key's; one with a bearer token (or, on the hub, a token-shaped
    /// <c>access_token</c>, as browsers' SignalR clients send it) a token's; anything else goes to the
    /// key scheme, which leaves a request without credentials anonymous.
    /// </summary>
    public static string Select(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        HttpRequest request = context.Request;
        if (request.Headers.ContainsKey(ApiKeyDefaults.Header))
        {
            return ApiKeyDefaults.Scheme;
        }

        if (request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Token;
        }

        return OnHub(request) && LooksLikeJwt(request.Query[ApiKeyDefaults.QueryParameter].ToString()) ? Token : ApiKeyDefaults.Scheme;
    }

    /// <summary>Whether the request carries any credential at all.</summary>
    public static bool PresentsCredential(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.ContainsKey(ApiKeyDefaults.Header)
            || request.Headers.ContainsKey("Authorization")
            || (OnHub(request) && request.Query.ContainsKey(ApiKeyDefaults.QueryParameter));
    }

    public static bool OnHub(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path.StartsWithSegments(CityHub.Path, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A compact JWS: three base64url parts, the header a JSON object (<c>eyJ</c>). API keys never look like that.</summary>
    private static bool LooksLikeJwt(string text) =>
        text.StartsWith("eyJ", StringComparison.Ordinal) && text.Count(c => c == '.') == 2;
}
