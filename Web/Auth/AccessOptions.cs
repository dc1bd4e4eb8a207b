namespace TwinCity.Web.Auth;

/// <summary>
/// Configuration section "Access": the agencies, the API keys, sign-in with tokens, the live map's
/// viewers and the rate limits. Agencies, keys and the token signing keys are read again when the
/// configuration changes (<see cref="AccessDirectory"/>); the rest is read at start-up.
/// </summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>
    /// The agencies by name. Empty (nothing configured) means Baku's (<see cref="Agencies.Defaults"/>);
    /// a configuration that names any agency names them all.
    /// </summary>
    public Dictionary<string, AgencyOptions> Agencies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The keys, stored hashed.</summary>
    public List<AccessKeyOptions> Keys { get; set; } = [];

    /// <summary>
    /// Whether the embedded city adds its local demo keys (dev-city, dev-azerishig, ...). Set false to use
    /// only <see cref="Keys"/> there too. Never honoured outside the embedded city, and only from callers
    /// on this machine (loopback).
    /// </summary>
    public bool DemoKeys { get; set; } = true;

    /// <summary>
    /// Whether the embedded city lets a map viewer on this machine connect to <c>/hubs/city</c> without a
    /// key. Never honoured outside the embedded city: a cluster's viewers need a reader's key.
    /// </summary>
    public bool AnonymousViewers { get; set; } = true;

    /// <summary>
    /// An optional JSON file of access settings (<c>{ "Access": { "Keys": [...] } }</c>), watched: keys and
    /// agencies changed there apply without a restart. It overrides the same keys set elsewhere.
    /// </summary>
    public string? File { get; set; }

    /// <summary>How often open hub connections are checked against the keys and tokens they connected with.</summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    public AccessJwtOptions Jwt { get; set; } = new();

    public AccessRateLimitOptions RateLimit { get; set; } = new();

    public AccessFailureLimitOptions FailedSignIn { get; set; } = new();

    /// <summary>
    /// Set by the host, never from configuration: the process is the local embedded city. Off unless the
    /// host says so, so that a host that forgets gets no built-in keys rather than public ones.
    /// </summary>
    public bool EmbeddedCity { get; private set; }

    public bool DemoKeysAllowed => EmbeddedCity && DemoKeys;

    public bool AnonymousViewersAllowed => EmbeddedCity && AnonymousViewers;

    /// <summary>The agencies in force: the configured ones, or Baku's when none is configured.</summary>
    public IReadOnlyDictionary<string, AgencyOptions> EffectiveAgencies =>
        Agencies.Count == 0 ? Auth.Agencies.Defaults() : Agencies;

    /// <summary>The host runs the embedded city: <see cref="DemoKeys"/> and <see cref="AnonymousViewers"/> apply.</summary>
    public void MarkEmbeddedCity() => EmbeddedCity = true;
}
