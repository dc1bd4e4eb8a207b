namespace TwinCity.Web.Auth;

/// <summary>Configuration section "Access:RateLimit": token buckets kept per key.</summary>
public sealed class AccessRateLimitOptions
{
    /// <summary>Requests a second one key may make to the API.</summary>
    public int PermitsPerSecond { get; set; } = 200;

    /// <summary>How many requests one key may make at once before the per-second rate holds it back.</summary>
    public int Burst { get; set; } = 400;

    /// <summary>
    /// Requests a second for network servers' keys and for any key on the ingest endpoints: a network
    /// server forwards every uplink of the city, so it must not share an agency's budget.
    /// </summary>
    public int IngestPermitsPerSecond { get; set; } = 100_000;

    /// <summary>The burst on the ingest budget.</summary>
    public int IngestBurst { get; set; } = 200_000;
}
