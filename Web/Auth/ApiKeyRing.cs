using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace TwinCity.Web.Auth;

/// <summary>
/// The keys the city accepts, held only as SHA-256 hashes. A presented key is hashed and compared
/// with every configured hash in constant time, so neither the stored keys nor the timing of a
/// refusal tell anything about a valid key.
/// </summary>
public sealed class ApiKeyRing
{
    /// <summary>Longer keys are refused before hashing: no real key is that long.</summary>
    public const int MaxKeyLength = 512;

    /// <summary>The embedded city's demo keys, one per agency: for local use only.</summary>
    public static readonly IReadOnlyList<(string Key, string Agency)> DemoKeys =
        [.. Agencies.All.Select(agency => ("dev-" + agency, agency))];

    private readonly Entry[] _entries;

    public ApiKeyRing(AccessOptions options, bool demoKeys)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entries = new List<Entry>();
        foreach (AccessKeyOptions key in options.Keys)
        {
            // The validator has run (ValidateOnStart); a bad entry here is skipped rather than trusted.
            string? agency = key.Agency?.Trim().ToLowerInvariant();
            if (!Agencies.IsKnown(agency) || !IsSha256Hex(key.Sha256?.Trim()))
            {
                continue;
            }

            entries.Add(NewEntry(Convert.FromHexString(key.Sha256!.Trim()), agency!, key.Name, agency == Agencies.Network ? [.. (key.Applications ?? []).Select(a => a.Trim())] : null));
        }

        ConfiguredCount = entries.Count;
        if (demoKeys)
        {
            foreach ((string key, string agency) in DemoKeys)
            {
                // The embedded city's own simulator and local tools speak for any application.
                entries.Add(NewEntry(Hash(key), agency, $"demo key of {agency}", agency == Agencies.Network ? [Grains.Interfaces.Twins.NetworkApplications.Any] : null));
            }
        }

        DemoKeysEnabled = demoKeys;
        _entries = [.. entries];
    }

    public int ConfiguredCount { get; }

    public bool DemoKeysEnabled { get; }

    public int Count => _entries.Length;

    public bool TryFind(string? presented, [NotNullWhen(true)] out ApiKeyIdentity? identity)
    {
        identity = null;
        if (string.IsNullOrEmpty(presented) || presented.Length > MaxKeyLength)
        {
            return false;
        }

        byte[] hash = Hash(presented);

        // No early exit: every configured hash is compared, so the time taken does not depend on which one matched.
        foreach (Entry entry in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, entry.Hash))
            {
                identity ??= entry.Identity;
            }
        }

        return identity is not null;
    }

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

    public static bool IsSha256Hex([NotNullWhen(true)] string? text) =>
        text is { Length: 64 } && text.All(char.IsAsciiHexDigit);

    private static Entry NewEntry(byte[] hash, string agency, string? name, IReadOnlyList<string>? applications)
    {
        string keyId = Convert.ToHexStringLower(hash, 0, 6);
        return new Entry(hash, new ApiKeyIdentity(agency, string.IsNullOrWhiteSpace(name) ? $"{agency} key {keyId}" : name.Trim(), keyId, applications));
    }

    private sealed record Entry(byte[] Hash, ApiKeyIdentity Identity);
}
