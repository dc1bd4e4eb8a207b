using Microsoft.Extensions.Options;

namespace TwinCity.Web.Auth;

/// <summary>Checks <c>Access</c> at start-up; every message names the key to fix.</summary>
public sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var seen = new Dictionary<string, (int Index, string Agency)>(StringComparer.OrdinalIgnoreCase);
        string agencies = string.Join(", ", Agencies.All);
        for (int i = 0; i < options.Keys.Count; i++)
        {
            AccessKeyOptions key = options.Keys[i];
            string prefix = $"{AccessOptions.Section}:Keys:{i}";
            string? agency = key.Agency?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(agency))
            {
                failures.Add($"{prefix}:Agency is required; the agencies are {agencies}");
            }
            else if (!Agencies.IsKnown(agency))
            {
                failures.Add($"{prefix}:Agency '{key.Agency}' is not an agency; the agencies are {agencies}");
            }

            if (agency == Agencies.Network)
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
            else if (seen.TryGetValue(hash!, out (int Index, string Agency) earlier))
            {
                if (!string.Equals(earlier.Agency, agency, StringComparison.Ordinal))
                {
                    failures.Add($"{prefix}:Sha256 is the same key as {AccessOptions.Section}:Keys:{earlier.Index}, which belongs to another agency");
                }
            }
            else
            {
                seen[hash!] = (i, agency ?? string.Empty);
            }
        }

        AccessRateLimitOptions limits = options.RateLimit;
        string section = $"{AccessOptions.Section}:RateLimit";
        Positive(failures, $"{section}:{nameof(limits.PermitsPerSecond)}", limits.PermitsPerSecond);
        Positive(failures, $"{section}:{nameof(limits.Burst)}", limits.Burst);
        Positive(failures, $"{section}:{nameof(limits.IngestPermitsPerSecond)}", limits.IngestPermitsPerSecond);
        Positive(failures, $"{section}:{nameof(limits.IngestBurst)}", limits.IngestBurst);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string key, int value)
    {
        if (value < 1)
        {
            failures.Add($"{key} must be at least 1, not {value}");
        }
    }
}
