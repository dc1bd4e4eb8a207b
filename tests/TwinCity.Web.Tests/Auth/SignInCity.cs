using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TwinCity.Web.Auth;
using TwinCity.Web.Tests.Abuse;

namespace TwinCity.Web.Tests.Auth;

/// <summary>
/// The city configured as a deployment would be, behind Kestrel: no demo keys, no keyless viewers,
/// agencies and hashed keys in an access file the city watches (<c>Access:File</c>), and sign-in with
/// tokens signed by an RSA key this fixture makes and publishes as the city's key set. Tests change
/// the keys by rewriting the file, as an operator would.
/// </summary>
public sealed class SignInCity : KestrelCity, IDisposable
{
    public const string Issuer = "https://idp.twincity.test";
    public const string Audience = "twincity-api";
    public const string KeyId = "test-signing-key";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "twincity-signin-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Lock _sync = new();
    private readonly List<(string Agency, string Key, string? Role, DateTimeOffset? Expires)> _keys = [];

    public SignInCity()
    {
        Directory.CreateDirectory(_folder);
        AccessFile = Path.Combine(_folder, "access.json");
        foreach ((string agency, string key) in AgencyKeys)
        {
            _keys.Add((agency, key, null, null));
        }

        _keys.Add(("press", ReaderKey, null, null));
        WriteAccessFile();
    }

    /// <summary>One key per agency of the city, Baku's and the press office's (role reader, configured here only).</summary>
    public static IReadOnlyList<(string Agency, string Key)> AgencyKeys { get; } =
    [
        ("azerishig", "signin-azerishig-4f1a"),
        ("azersu", "signin-azersu-9b2c"),
        ("roads", "signin-roads-77d0"),
        ("transport", "signin-transport-c3e5"),
        ("city", "signin-city-0a6b"),
        ("network", "signin-network-e8f1"),
    ];

    public const string ReaderKey = "signin-press-5d3a";

    public string AccessFile { get; }

    protected override string Name => "signin-city";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Access__File"] = AccessFile,
        ["Access__DemoKeys"] = "false",
        ["Access__AnonymousViewers"] = "false",
        ["Seed__Enabled"] = "false",
        // The matrix presents refused credentials on purpose, a few hundred times, from one address.
        ["Access__FailedSignIn__Limit"] = "100000",
        ["Access__RecheckInterval"] = "00:00:00.500",
    };

    public void AddKey(string agency, string key, string? role = null, DateTimeOffset? expires = null)
    {
        lock (_sync)
        {
            _keys.Add((agency, key, role, expires));
            WriteAccessFile();
        }
    }

    public void RemoveKey(string key)
    {
        lock (_sync)
        {
            _keys.RemoveAll(k => k.Key == key);
            WriteAccessFile();
        }
    }

    /// <summary>Writes <paramref name="json"/> as the access file as it is (a broken file, say); <see cref="Restore"/> writes the keys again.</summary>
    public void WriteRaw(string json)
    {
        lock (_sync)
        {
            string temp = AccessFile + ".tmp";
            File.WriteAllText(temp, json);
            File.Move(temp, AccessFile, overwrite: true);
        }
    }

    public void Restore()
    {
        lock (_sync)
        {
            WriteAccessFile();
        }
    }

    /// <summary>A token signed with the city's trusted key, for <paramref name="agency"/>, valid now unless <paramref name="expired"/>.</summary>
    /// <param name="applications">For a network server's token: the applications it names (claim <c>twincity_applications</c>).</param>
    public string Token(string subject, string agency, string? role = null, bool expired = false, string[]? applications = null)
    {
        DateTime now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { ["sub"] = subject, ["agency"] = agency };
        if (role is not null)
        {
            claims["twincity_role"] = role;
        }

        if (applications is not null)
        {
            claims["twincity_applications"] = applications;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            IssuedAt = expired ? now.AddMinutes(-30) : now,
            NotBefore = expired ? now.AddMinutes(-30) : now.AddSeconds(-5),
            Expires = expired ? now.AddMinutes(-10) : now.AddMinutes(30),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });
    }

    public void Dispose()
    {
        _rsa.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }
    }

    private void WriteAccessFile()
    {
        RSAParameters p = _rsa.ExportParameters(includePrivateParameters: false);
        string jwks = JsonSerializer.Serialize(new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) },
            },
        });
        var access = new Dictionary<string, object?>
        {
            ["Agencies"] = new Dictionary<string, object>
            {
                ["azerishig"] = new { Role = "agency", Kinds = new[] { "streetlights" } },
                ["azersu"] = new { Role = "agency", Kinds = new[] { "water-meters" } },
                ["roads"] = new { Role = "agency", Kinds = new[] { "road-sensors" } },
                ["transport"] = new { Role = "agency", Kinds = new[] { "buses" } },
                ["city"] = new { Role = "operator" },
                ["network"] = new { Role = "network" },
                ["press"] = new { Role = "reader" },
            },
            ["Keys"] = _keys.Select(k => new Dictionary<string, object?>
            {
                ["Agency"] = k.Agency,
                ["Sha256"] = ApiKeyRing.HashHex(k.Key),
                ["Role"] = k.Role,
                ["Expires"] = k.Expires?.ToString("O", CultureInfo.InvariantCulture),

                // A network server's key names the applications it speaks for; these speak for all.
                ["Applications"] = k.Agency == "network" ? new[] { "*" } : null,
            }.Where(p => p.Value is not null).ToDictionary()).ToArray(),
            ["Jwt"] = new { Issuer, Audience, SigningKeys = jwks },
        };

        // Written beside and moved over, so that the city never reads half a file.
        string temp = AccessFile + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new { Access = access }));
        File.Move(temp, AccessFile, overwrite: true);
    }
}
