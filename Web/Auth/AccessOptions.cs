namespace TwinCity.Web.Auth;

/// <summary>Configuration section "Access": the API keys and their rate limits.</summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>The keys, stored hashed.</summary>
    public List<AccessKeyOptions> Keys { get; set; } = [];

    /// <summary>
    /// Whether the embedded city adds its local demo keys (dev-city, dev-azerishig, ...). They are never
    /// added in cluster mode, whatever this says.
    /// </summary>
    public bool DemoKeys { get; set; } = true;

    public AccessRateLimitOptions RateLimit { get; set; } = new();
}
