namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>
/// The network server's applications a caller may speak for: a network key names them
/// (<c>Access:Keys:N:Applications</c>, carried as <see cref="Claim"/> claims), an MQTT connection
/// names them (<c>Mqtt:Applications</c>). ChirpStack names an application by its id; The Things
/// Stack by "application_id@tenant" in MQTT topics and by "application_id" alone in webhooks.
/// </summary>
public static class NetworkApplications
{
    /// <summary>The claim, one per application, that an authenticated network server carries.</summary>
    public const string Claim = "network_application";

    /// <summary>An entry that allows every application: only ever configured on purpose.</summary>
    public const string Any = "*";

    /// <summary>
    /// Whether <paramref name="applicationId"/> is allowed by one of <paramref name="allowed"/>: the
    /// same id, or an entry without a tenant ("city-lights") for the application under any tenant.
    /// </summary>
    public static bool Allows(IEnumerable<string> allowed, string? applicationId)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        foreach (string entry in allowed)
        {
            if (entry == Any)
            {
                return true;
            }

            if (applicationId is not null && (entry == applicationId || (!entry.Contains('@', StringComparison.Ordinal) && NameOf(applicationId) == entry)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether two ids name the same application: equal, or equal before the tenant when one of them
    /// comes without it (a TTS webhook beside its MQTT topic).
    /// </summary>
    public static bool Same(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a == b;
        }

        if (a == b)
        {
            return true;
        }

        bool aTenant = a.Contains('@', StringComparison.Ordinal);
        bool bTenant = b.Contains('@', StringComparison.Ordinal);
        return aTenant != bTenant && NameOf(a) == NameOf(b);
    }

    private static string NameOf(string id)
    {
        int at = id.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? id : id[..at];
    }
}
