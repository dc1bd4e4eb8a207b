namespace TwinCity.Web.Auth;

/// <summary>
/// Configuration section <c>Access:Jwt</c>: sign-in through the city's identity provider. Bearer tokens
/// are accepted when <see cref="Authority"/> (OIDC discovery) or a signing key set is configured.
/// </summary>
public sealed class AccessJwtOptions
{
    /// <summary>The identity provider's issuer URL; its keys come from OIDC discovery (<c>/.well-known/openid-configuration</c>).</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must be issued for (the TwinCity API's client id at the provider). Required once tokens are on.</summary>
    public string? Audience { get; set; }

    /// <summary>The issuer tokens must name; required with a signing key set (discovery gives it otherwise).</summary>
    public string? Issuer { get; set; }

    /// <summary>A JSON Web Key Set (the JSON text), for sites without discovery.</summary>
    public string? SigningKeys { get; set; }

    /// <summary>A file holding a JSON Web Key Set; read again when it changes.</summary>
    public string? SigningKeysFile { get; set; }

    /// <summary>Discovery over plain HTTP only for a provider on this machine in development.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The claim that names the caller's agency.</summary>
    public string AgencyClaim { get; set; } = "agency";

    /// <summary>The claim that may narrow the caller's role (to <c>reader</c>); absent, the agency's role applies.</summary>
    public string RoleClaim { get; set; } = "twincity_role";

    /// <summary>
    /// For a network server signing in with a token: the claim (one value, or several) naming the
    /// applications it may post events for, as a network key's <c>Applications</c> do (<c>*</c> for
    /// every one). A network token without it speaks for no application.
    /// </summary>
    public string ApplicationsClaim { get; set; } = "twincity_applications";

    /// <summary>How far the clocks of the provider and the silo may differ.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(SigningKeys) || !string.IsNullOrWhiteSpace(SigningKeysFile);
}
