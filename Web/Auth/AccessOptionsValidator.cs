using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Auth;

/// <summary>
/// Checks <c>Access</c> at start-up, and each reloaded configuration before it takes effect
/// (<see cref="AccessDirectory"/>); every message names the key to fix.
/// </summary>
public sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options) =>
        // The live instance is checked by AccessDirectory, which keeps the last good one rather than failing every request.
        name == AccessDirectory.LiveOptions ? ValidateOptionsResult.Skip : Check(options);

    public static ValidateOptionsResult Check(AccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        IReadOnlyDictionary<string, AgencyOptions> configured = options.EffectiveAgencies;
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string rawName, AgencyOptions agency) in configured)
        {
            string prefix = $"{AccessOptions.Section}:Agencies:{rawName}";
            string agencyName = rawName.Trim().ToLowerInvariant();
            if (!Agencies.IsValidName(agencyName))
            {
                failures.Add($"{prefix}: an agency's name is 1 to 32 lower-case letters, digits and '-'");
            }

            string role = string.IsNullOrWhiteSpace(agency.Role) ? AccessRoles.Agency : agency.Role.Trim().ToLowerInvariant();
            if (!AccessRoles.IsKnown(role))
            {
                failures.Add($"{prefix}:Role '{agency.Role}' is not a role; the roles are {string.Join(", ", AccessRoles.All)}");
            }

            for (int i = 0; i < agency.Kinds.Count; i++)
            {
                if (!TwinKinds.TryParse(agency.Kinds[i], out _))
                {
                    failures.Add($"{prefix}:Kinds:{i} '{agency.Kinds[i]}' is not a kind of twin; the kinds are streetlights, water-meters, road-sensors, buses");
                }
            }

            if (agency.Kinds.Count > 0 && role != AccessRoles.Agency)
            {
                failures.Add($"{prefix}:Kinds: only an agency of role '{AccessRoles.Agency}' commands kinds, not one of role '{role}'");
            }

            roles[agencyName] = role;
        }

        var seen = new Dictionary<string, (int Index, string Agency)>(StringComparer.OrdinalIgnoreCase);
        string names = string.Join(", ", roles.Keys);
        for (int i = 0; i < options.Keys.Count; i++)
        {
            AccessKeyOptions key = options.Keys[i];
            string prefix = $"{AccessOptions.Section}:Keys:{i}";
            string? agency = key.Agency?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(agency))
            {
                failures.Add($"{prefix}:Agency is required; the agencies are {names}");
            }
            else if (!roles.TryGetValue(agency, out string? role))
            {
                failures.Add($"{prefix}:Agency '{key.Agency}' is not an agency; the agencies are {names}");
            }
            else if (AccessRoles.Effective(role, key.Role?.Trim().ToLowerInvariant()) is null)
            {
                failures.Add($"{prefix}:Role '{key.Role}' is not one a key of {agency} may have: '{role}' or, for an agency that reads, '{AccessRoles.Reader}'");
            }

            // Whatever the agency is called, a key with the network role speaks for network servers.
            if (agency is not null && roles.TryGetValue(agency, out string? agencyRole) && agencyRole == AccessRoles.Network)
            {
                if (key.Applications is not { Count: > 0 })
                {
                    failures.Add($"{prefix}:Applications must name the applications this network server may post events for (ChirpStack application ids, The Things Stack application ids), or [\"*\"] for every one");
                }
                else
                {
                    for (int a = 0; a < key.Applications.Count; a++)
                    {
                        string application = key.Applications[a]?.Trim() ?? string.Empty;
                        if (application != Grains.Interfaces.Twins.NetworkApplications.Any && Grains.Interfaces.Twins.NetworkIds.Problem("application id", application) is { } problem)
                        {
                            failures.Add($"{prefix}:Applications:{a} '{key.Applications[a]}': {problem}");
                        }
                    }
                }
            }
            else if (key.Applications is { Count: > 0 })
            {
                failures.Add($"{prefix}:Applications is only for network servers' keys, not {agency}'s");
            }

            string? hash = key.Sha256?.Trim();
            if (!ApiKeyRing.IsSha256Hex(hash))
            {
                failures.Add($"{prefix}:Sha256 must be the 64 hex digits of the key's SHA-256 (printf %s \"$KEY\" | sha256sum), never the key itself");
            }
            else if (seen.TryGetValue(hash, out (int Index, string Agency) earlier))
            {
                if (!string.Equals(earlier.Agency, agency, StringComparison.Ordinal))
                {
                    failures.Add($"{prefix}:Sha256 is the same key as {AccessOptions.Section}:Keys:{earlier.Index}, which belongs to another agency");
                }
            }
            else
            {
                seen[hash] = (i, agency ?? string.Empty);
            }
        }

        CheckJwt(failures, options.Jwt);

        AccessRateLimitOptions limits = options.RateLimit;
        string section = $"{AccessOptions.Section}:RateLimit";
        Positive(failures, $"{section}:{nameof(limits.PermitsPerSecond)}", limits.PermitsPerSecond);
        Positive(failures, $"{section}:{nameof(limits.Burst)}", limits.Burst);
        Positive(failures, $"{section}:{nameof(limits.IngestPermitsPerSecond)}", limits.IngestPermitsPerSecond);
        Positive(failures, $"{section}:{nameof(limits.IngestBurst)}", limits.IngestBurst);
        Positive(failures, $"{AccessOptions.Section}:FailedSignIn:Limit", options.FailedSignIn.Limit);
        if (options.FailedSignIn.Window <= TimeSpan.Zero)
        {
            failures.Add($"{AccessOptions.Section}:FailedSignIn:Window must be positive");
        }

        if (options.RecheckInterval <= TimeSpan.Zero)
        {
            failures.Add($"{AccessOptions.Section}:RecheckInterval must be positive");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckJwt(List<string> failures, AccessJwtOptions jwt)
    {
        const string prefix = AccessOptions.Section + ":Jwt";
        if (!jwt.Enabled)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(jwt.Audience))
        {
            failures.Add($"{prefix}:Audience is required once tokens are accepted: the audience the identity provider issues TwinCity's tokens for");
        }

        if (!string.IsNullOrWhiteSpace(jwt.Authority))
        {
            if (!Uri.TryCreate(jwt.Authority, UriKind.Absolute, out Uri? authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{prefix}:Authority must be the identity provider's absolute URL, not '{jwt.Authority}'");
            }
            else if (authority.Scheme != Uri.UriSchemeHttps && jwt.RequireHttpsMetadata)
            {
                failures.Add($"{prefix}:Authority must use https (or set {prefix}:RequireHttpsMetadata=false for a provider on this machine in development)");
            }
        }
        else if (string.IsNullOrWhiteSpace(jwt.Issuer))
        {
            failures.Add($"{prefix}:Issuer is required with a signing key set (without {prefix}:Authority nothing else says who issues tokens)");
        }

        if (!string.IsNullOrWhiteSpace(jwt.SigningKeys))
        {
            try
            {
                AccessDirectory.ReadKeySet(jwt.SigningKeys);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{prefix}:SigningKeys is {ex.Message}");
            }
        }

        if (!string.IsNullOrWhiteSpace(jwt.SigningKeysFile))
        {
            try
            {
                AccessDirectory.ReadKeySet(File.ReadAllText(jwt.SigningKeysFile));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                failures.Add($"{prefix}:SigningKeysFile '{jwt.SigningKeysFile}': {ex.Message}");
            }
        }

        if (string.IsNullOrWhiteSpace(jwt.AgencyClaim))
        {
            failures.Add($"{prefix}:AgencyClaim must name the claim that carries the agency");
        }

        if (jwt.ClockSkew < TimeSpan.Zero || jwt.ClockSkew > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{prefix}:ClockSkew must be within 00:00:00..00:05:00");
        }
    }

    private static void Positive(List<string> failures, string key, int value)
    {
        if (value < 1)
        {
            failures.Add($"{key} must be at least 1, not {value}");
        }
    }
}
