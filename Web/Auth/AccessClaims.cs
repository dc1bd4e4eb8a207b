using System.Security.Claims;

namespace TwinCity.Web.Auth;

/// <summary>The claims a key or a token gives its caller, whichever way it signed in.</summary>
public static class AccessClaims
{
    /// <summary>The caller's agency.</summary>
    public const string Agency = "agency";

    /// <summary>The caller's role (<see cref="AccessRoles"/>), also as <see cref="ClaimTypes.Role"/>.</summary>
    public const string Role = ClaimTypes.Role;

    /// <summary>
    /// A short, stable id of the key (a prefix of its hash), for a caller with an API key: rate limits
    /// are kept per key, and the audit can name which key acted.
    /// </summary>
    public const string KeyId = "twincity:key";

    /// <summary>The token's subject, for a caller signed in through the identity provider.</summary>
    public const string Subject = "sub";

    /// <summary>When the caller's credential stops working (Unix seconds), when it does.</summary>
    public const string Expires = "exp";

    /// <summary>Why a token that was signed correctly gives no access here (an agency this city does not have).</summary>
    public const string Refused = "twincity:refused";

    /// <summary>The caller's agency, or null for an anonymous caller.</summary>
    public static string? AgencyOf(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(Agency)?.Value;
    }

    /// <summary>The caller's role, or null for an anonymous caller.</summary>
    public static string? RoleOf(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.IsAuthenticated == true ? user.FindFirst(Role)?.Value : null;
    }

    /// <summary>Who acts, for rate limits, limits per caller and the audit: <c>key:{id}</c> or <c>sub:{subject}</c>; null for an anonymous caller.</summary>
    public static string? CallerOf(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.FindFirst(KeyId)?.Value is string keyId)
        {
            return "key:" + keyId;
        }

        return user.FindFirst(Subject)?.Value is string subject ? "sub:" + subject : null;
    }

    /// <summary>The principal of a caller who presented a key.</summary>
    public static ClaimsPrincipal ForKey(ApiKeyIdentity key, string scheme)
    {
        ArgumentNullException.ThrowIfNull(key);
        var claims = new List<Claim>
        {
            new(Agency, key.Agency),
            new(Role, key.Role),
            new(ClaimTypes.Name, key.Name),
            new(KeyId, key.KeyId),
        };
        foreach (string application in key.Applications ?? [])
        {
            // A network server's key speaks only for these applications (ingest checks each event).
            claims.Add(new Claim(Grains.Interfaces.Twins.NetworkApplications.Claim, application));
        }

        if (key.Expires is DateTimeOffset expires)
        {
            // Whole seconds as in a JWT, rounded up: a connection is never closed before its key expires.
            long seconds = (expires.ToUnixTimeMilliseconds() + 999) / 1000;
            claims.Add(new Claim(Expires, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, Role));
    }

    /// <summary>When the caller's credential expires, if it does.</summary>
    public static DateTimeOffset? ExpiresOf(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return long.TryParse(user.FindFirst(Expires)?.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
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
