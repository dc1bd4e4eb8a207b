using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace TwinCity.Web.Auth;

/// <summary>
/// The keys the city accepts, held only as SHA-256 hashes. A presented key is hashed and compared
/// with every configured hash in constant time, so neither the stored keys nor the timing of a
/// refusal tell anything about a valid key. A ring is immutable: when the keys change,
/// <see cref="AccessDirectory"/> builds a new one.
/// </summary>
public sealed class ApiKeyRing
{
    /// <summary>Longer keys are refused before hashing: no real key is that long.</summary>
    public const int MaxKeyLength = 512;

    /// <summary>The embedded city's demo keys, one per agency of Baku: for local use only.</summary>
    public static readonly IReadOnlyList<(string Key, string Agency)> DemoKeys =
        [.. Agencies.Defaults().Keys.Select(agency => ("dev-" + agency, agency))];

    private readonly Entry[] _entries;

    /// <summary>A ring of the configured keys whose agency is one of <paramref name="agencies"/>, and the demo keys when asked.</summary>
    public ApiKeyRing(IEnumerable<AccessKeyOptions> keys, IReadOnlyDictionary<string, CityAgency> agencies, bool demoKeys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(agencies);
        var entries = new List<Entry>();
        foreach (AccessKeyOptions key in keys)
        {
            // The validator has run; a bad entry here is skipped rather than trusted.
            string? agencyName = key.Agency?.Trim().ToLowerInvariant();
            if (agencyName is null || !agencies.TryGetValue(agencyName, out CityAgency? agency) || !IsSha256Hex(key.Sha256?.Trim())
                || AccessRoles.Effective(agency.Role, key.Role?.Trim().ToLowerInvariant()) is not string role)
            {
                continue;
            }

            // A network server's key speaks for the applications it names (Access:Keys:N:Applications).
            IReadOnlyList<string>? applications = role == AccessRoles.Network ? [.. (key.Applications ?? []).Select(a => a.Trim())] : null;
            entries.Add(NewEntry(Convert.FromHexString(key.Sha256!.Trim()), agencyName, role, key.Name, key.Expires, loopbackOnly: false, applications));
        }

        ConfiguredCount = entries.Count;
        if (demoKeys)
        {
            foreach ((string key, string agencyName) in DemoKeys)
            {
                if (agencies.TryGetValue(agencyName, out CityAgency? agency))
                {
                    // The embedded city's own simulator and local tools speak for any application.
                    IReadOnlyList<string>? applications = agency.Role == AccessRoles.Network ? [Grains.Interfaces.Twins.NetworkApplications.Any] : null;
                    entries.Add(NewEntry(Hash(key), agencyName, agency.Role, $"demo key of {agencyName}", null, loopbackOnly: true, applications));
                }
            }
        }

        DemoKeysEnabled = demoKeys;
        _entries = [.. entries];
    }

    public int ConfiguredCount { get; }

    public bool DemoKeysEnabled { get; }

    public int Count => _entries.Length;

    /// <summary>
    /// Finds the key <paramref name="presented"/> by a caller at <paramref name="remote"/> at <paramref name="now"/>;
    /// <paramref name="refusal"/> says why not (never anything about the key itself).
    /// </summary>
    public bool TryFind(string? presented, DateTimeOffset now, IPAddress? remote,
        [NotNullWhen(true)] out ApiKeyIdentity? identity, [NotNullWhen(false)] out string? refusal)
    {
        identity = null;
        if (string.IsNullOrEmpty(presented))
        {
            refusal = "empty key";
            return false;
        }

        if (presented.Length > MaxKeyLength)
        {
            refusal = "unknown key";
            return false;
        }

        byte[] hash = Hash(presented);

        // No early exit: every configured hash is compared, so the time taken does not depend on which one matched.
        Entry? found = null;
        foreach (Entry entry in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, entry.Hash))
            {
                found ??= entry;
            }
        }

        if (found is null)
        {
            refusal = "unknown key";
            return false;
        }

        if (found.Identity.Expires <= now)
        {
            refusal = "expired key";
            return false;
        }

        if (found.LoopbackOnly && !IsLoopback(remote))
        {
            refusal = "a demo key from another machine (demo keys work only from this machine)";
            return false;
        }

        identity = found.Identity;
        refusal = null;
        return true;
    }

    /// <summary>Whether the key with id <paramref name="keyId"/> still belongs to <paramref name="agency"/> with <paramref name="role"/> and has not expired: an open hub connection's recheck.</summary>
    public bool StillValid(string keyId, string agency, string role, DateTimeOffset now)
    {
        foreach (Entry entry in _entries)
        {
            ApiKeyIdentity id = entry.Identity;
            if (id.KeyId == keyId && id.Agency == agency && id.Role == role && !(id.Expires <= now))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a caller is on this machine: a loopback address, or no IP address at all (a Unix socket or
    /// the in-process test server; nothing from the network arrives without one).
    /// </summary>
    public static bool IsLoopback(IPAddress? address) =>
        address is null || IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    public static byte[] Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[] bytes = Encoding.UTF8.GetBytes(key);
        try
        {
            return SHA256.HashData(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The lower-case hex SHA-256 of a key, as <c>Access:Keys:N:Sha256</c> wants it.</summary>
    public static string HashHex(string key) => Convert.ToHexStringLower(Hash(key));

    /// <summary>The id a key is known by in logs, audit entries and rate limits: a prefix of its hash.</summary>
    public static string KeyIdOf(byte[] hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return Convert.ToHexStringLower(hash, 0, 6);
    }

    public static bool IsSha256Hex([NotNullWhen(true)] string? text) =>
        text is { Length: 64 } && text.All(char.IsAsciiHexDigit);

    private static Entry NewEntry(byte[] hash, string agency, string role, string? name, DateTimeOffset? expires, bool loopbackOnly, IReadOnlyList<string>? applications)
    {
        string keyId = KeyIdOf(hash);
        string label = string.IsNullOrWhiteSpace(name) ? $"{agency} key {keyId}" : name.Trim();
        return new Entry(hash, new ApiKeyIdentity(agency, role, label, keyId, expires, applications), loopbackOnly);
    }

    private sealed record Entry(byte[] Hash, ApiKeyIdentity Identity, bool LoopbackOnly);
}
