using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace TwinCity.Web.Auth;

/// <summary>
/// What a token the city's identity provider signed gives its bearer here: the same claims a key
/// gives (agency, role, and a network server's applications), or, when the city gives it nothing,
/// the reason. Plain code over the token's claims, so that the fuzzer runs exactly what sign-in runs.
/// </summary>
public static class TokenClaims
{
    /// <summary>
    /// What a token must be to be read at all: from the configured issuer (or, with discovery, the
    /// provider's), for the city's audience, signed, unexpired within <see cref="AccessJwtOptions.ClockSkew"/>.
    /// The signing keys are the caller's to add (discovery, the configured key set, or the fuzzer's).
    /// </summary>
    public static TokenValidationParameters ValidationParameters(AccessJwtOptions jwt)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        return new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = string.IsNullOrWhiteSpace(jwt.Issuer) ? null : jwt.Issuer,
            ValidateAudience = true,
            ValidAudience = jwt.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = jwt.ClockSkew,
        };
    }

    /// <summary>The city's claims for a valid token: its agency and role when the city knows them, else why not.</summary>
    public static ClaimsPrincipal Map(ClaimsPrincipal token, AccessJwtOptions jwt, AccessSnapshot access, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(jwt);
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(log);
        // An empty subject names no one: the audit, the limits per caller and revocation need someone.
        string? subject = token.FindFirst(AccessClaims.Subject)?.Value is { } sub && !string.IsNullOrWhiteSpace(sub) ? sub : null;
        string[] agencies = [.. token.FindAll(jwt.AgencyClaim).Select(c => c.Value.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal)];
        string? asked = token.FindFirst(jwt.RoleClaim)?.Value?.Trim().ToLowerInvariant();
        var claims = new List<Claim> { new(ClaimTypes.Name, subject ?? "token without a subject") };
        if (subject is not null)
        {
            claims.Add(new Claim(AccessClaims.Subject, subject));
        }

        if (token.FindFirst(AccessClaims.Expires)?.Value is string exp)
        {
            claims.Add(new Claim(AccessClaims.Expires, exp, ClaimValueTypes.Integer64));
        }

        CityAgency? agency = agencies.Length == 1 ? access.Agency(agencies[0]) : null;
        string? role = agency is null ? null : AccessRoles.Effective(agency.Role, asked);
        string? refused =
            subject is null ? "the token names no subject ('sub')"
            : agencies.Length == 0 ? $"the token names no agency (claim '{jwt.AgencyClaim}')"
            : agencies.Length > 1 ? $"the token names several agencies (claim '{jwt.AgencyClaim}')"
            : agency is null ? $"the token's agency '{agencies[0]}' is not one of this city's agencies"
            : role is null ? $"the token asks for role '{asked}', which {agency.Name} does not grant"
            : null;
        if (refused is null)
        {
            claims.Add(new Claim(AccessClaims.Agency, agency!.Name));
            claims.Add(new Claim(AccessClaims.Role, role!));
            if (role == AccessRoles.Network)
            {
                AddApplications(token, jwt, subject, claims, log);
            }
        }
        else
        {
            claims.Add(new Claim(AccessClaims.Refused, refused));
            log.TokenWithoutAccess(refused, subject);
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, AccessSchemes.Token, ClaimTypes.Name, AccessClaims.Role));
    }

    /// <summary>
    /// The applications a network server's token speaks for: each value of the applications claim
    /// that is a well-formed application id (or <c>*</c>). One that is not is left out and logged, so
    /// that a typo at the provider narrows what the server may post rather than widening it.
    /// </summary>
    private static void AddApplications(ClaimsPrincipal token, AccessJwtOptions jwt, string? subject, List<Claim> claims, ILogger log)
    {
        foreach (Claim claim in token.FindAll(jwt.ApplicationsClaim))
        {
            foreach (string value in claim.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (value == Grains.Interfaces.Twins.NetworkApplications.Any || Grains.Interfaces.Twins.NetworkIds.Problem("application id", value) is null)
                {
                    claims.Add(new Claim(Grains.Interfaces.Twins.NetworkApplications.Claim, value));
                }
                else
                {
                    log.TokenApplicationIgnored(value.Length > 64 ? value[..64] : value, subject);
                }
            }
        }
    }
}
