using System.Security.Claims;

namespace TwinCity.Web.Auth;

/// <summary>The claims an API key gives its caller.</summary>
public static class AccessClaims
{
    /// <summary>The caller's agency; also given as a role.</summary>
    public const string Agency = "agency";

    /// <summary>A short, stable id of the key (a prefix of its hash): rate limits are kept per key.</summary>
    public const string KeyId = "key_id";

    /// <summary>The caller's agency, or null for an anonymous caller.</summary>
    public static string? AgencyOf(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(Agency)?.Value;
    }

    /// <summary>
    /// Which credential the caller used, for the audit trail: the API key's id, else a token's subject
    /// (<c>sub</c>, or the name identifier it is mapped to); null for an anonymous caller.
    /// </summary>
    public static string? KeyOf(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(KeyId)?.Value ?? user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value;
    }
}
