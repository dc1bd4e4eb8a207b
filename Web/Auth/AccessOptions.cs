namespace TwinCity.Web.Auth;

/// <summary>Configuration section "Access": the API keys, the live map's viewers and the rate limits.</summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>The keys, stored hashed.</summary>
    public List<AccessKeyOptions> Keys { get; set; } = [];

    /// <summary>
    /// Whether the embedded city adds its local demo keys (dev-city, dev-azerishig, ...). Set false to use
    /// only <see cref="Keys"/> there too. Never honoured outside the embedded city.
    /// </summary>
    public bool DemoKeys { get; set; } = true;

    /// <summary>
    /// Whether the embedded city lets a map viewer connect to <c>/hubs/city</c> without a key. Never
    /// honoured outside the embedded city: a cluster's viewers need a reader's key.
    /// </summary>
    public bool AnonymousViewers { get; set; } = true;

    public AccessRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>
    /// Set by the host, never from configuration: the process is the local embedded city. Off unless the
    /// host says so, so that a host that forgets gets no built-in keys rather than public ones.
    /// </summary>
    public bool EmbeddedCity { get; private set; }

    public bool DemoKeysAllowed => EmbeddedCity && DemoKeys;

    public bool AnonymousViewersAllowed => EmbeddedCity && AnonymousViewers;

    /// <summary>The host runs the embedded city: <see cref="DemoKeys"/> and <see cref="AnonymousViewers"/> apply.</summary>
    public void MarkEmbeddedCity() => EmbeddedCity = true;
}
