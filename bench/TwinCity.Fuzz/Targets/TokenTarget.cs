using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Auth;

namespace TwinCity.Fuzz.Targets;

/// <summary>
/// Sign-in with bearer tokens, as the city runs it: the token checked for issuer, audience, lifetime
/// and signature with the parameters sign-in uses (<see cref="TokenClaims.ValidationParameters"/>), then its claims mapped
/// to the city's (<see cref="TokenClaims.Map"/>). An even first byte takes the rest as a compact JWT;
/// an odd one takes it as the JSON object of a token's claims and maps them alone, since almost every
/// mutation of a signed token fails its signature before the mapping is reached.
/// </summary>
/// <remarks>
/// A crash is any exception escaping; a token accepted whose signature (recomputed here) does not
/// verify, that has expired or that names another issuer or audience; a principal given an agency the
/// city does not have, a role its agency does not grant, applications without the network role or an
/// application that is neither <c>*</c> nor an application id; a principal given nothing without a
/// reason; and a refusal without a reason. The tokens are signed with a fixed HMAC key, so that a
/// seed's inputs are the same from run to run.
/// </remarks>
public sealed class TokenTarget : IFuzzTarget
{
    private const string Issuer = "https://idp.city.example";
    private const string Audience = "twincity-api";
    private static readonly DateTime IssuedAt = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Expires = new(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly byte[] Secret = SHA256.HashData("the fuzzer's fixed token signing secret, never a city's"u8);

    private readonly SymmetricSecurityKey _key = new(Secret) { KeyId = "fuzz" };
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;
    private readonly AccessJwtOptions _jwt = new() { Issuer = Issuer, Audience = Audience };
    private readonly AccessSnapshot _access;

    public TokenTarget()
    {
        // Exactly what sign-in asks of a token, with the fuzzer's key as the city's key set.
        _parameters = TokenClaims.ValidationParameters(_jwt);
        _parameters.IssuerSigningKey = _key;
        var agencies = new Dictionary<string, CityAgency>(StringComparer.Ordinal)
        {
            ["azerishig"] = new("azerishig", AccessRoles.Agency, new HashSet<TwinKind> { TwinKind.Streetlight }),
            ["roads"] = new("roads", AccessRoles.Agency, new HashSet<TwinKind> { TwinKind.RoadSensor }),
            ["city"] = new("city", AccessRoles.Operator, new HashSet<TwinKind>()),
            ["network"] = new("network", AccessRoles.Network, new HashSet<TwinKind>()),
            ["press"] = new("press", AccessRoles.Reader, new HashSet<TwinKind>()),
        };
        _access = new AccessSnapshot(agencies, new ApiKeyRing([], agencies, demoKeys: false), [_key]);
        Corpus =
        [
            Token(new() { ["sub"] = "alice@roads", ["agency"] = "roads" }),
            Token(new() { ["sub"] = "bob@roads", ["agency"] = "roads", ["twincity_role"] = "reader" }),
            Token(new() { ["sub"] = "ns-1", ["agency"] = "network", ["twincity_applications"] = new[] { "lights-a", "*" } }),
            Token(new() { ["sub"] = "ns-2", ["agency"] = "network", ["twincity_applications"] = "lights-a lights-b,meters" }),
            Token(new() { ["sub"] = "eve", ["agency"] = "police" }),
            Token(new() { ["sub"] = "mallory", ["agency"] = new[] { "roads", "city" }, ["twincity_role"] = "operator" }),
            Text(0, "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4IiwiYWdlbmN5Ijoicm9hZHMifQ."),
            Text(0, "not.a.jwt"),
            Text(1, """{"sub":"ns-3","agency":"network","twincity_applications":["a/b","+","#","lights-a","city-lights@tenant"]}"""),
            Text(1, """{"sub":"dave","agency":"ROADS ","twincity_role":"READER"}"""),
            Text(1, """{"agency":"press","twincity_role":"network","twincity_applications":"*"}"""),
        ];
    }

    public string Name => "tokens";

    public int MaxLength => 4096;

    public IReadOnlyList<byte[]> Corpus { get; }

    public IReadOnlyList<byte[]> Dictionary { get; } = JsonTokens.With(
        "\"sub\":", "\"agency\":", "\"twincity_role\":", "\"twincity_applications\":", "\"exp\":", "\"nbf\":", "\"iss\":", "\"aud\":",
        "\"roads\"", "\"network\"", "\"press\"", "\"city\"", "\"police\"", "\"reader\"", "\"operator\"", "\"agency\"", "\"*\"", "\"a/b\"",
        ".", "..", "eyJ", "eyJhbGciOiJub25lIn0", "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJSUzI1NiIsImtpZCI6ImZ1enoifQ", "-", "_", "=");

    public FuzzVerdict Check(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return FuzzVerdict.Refuse("empty input");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(input[1..]);
        }
        catch (DecoderFallbackException)
        {
            return FuzzVerdict.Refuse("not UTF-8");
        }

        return (input[0] & 1) == 0 ? CheckToken(text) : CheckClaims(text);
    }

    private FuzzVerdict CheckToken(string token)
    {
        TokenValidationResult result = _handler.ValidateTokenAsync(token, _parameters).GetAwaiter().GetResult();
        if (!result.IsValid)
        {
            string? reason = result.Exception?.GetType().Name;
            return string.IsNullOrEmpty(reason) ? throw new InvalidDataException("a token refused without a reason") : FuzzVerdict.Refuse(reason);
        }

        // Accepted: it must be what the city would accept, whatever the library thought.
        string[] parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw new InvalidDataException($"accepted a token of {parts.Length} parts");
        }

        byte[] expected = HMACSHA256.HashData(Secret, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, Base64UrlEncoder.DecodeBytes(parts[2])))
        {
            throw new InvalidDataException("accepted a token whose signature does not verify");
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        if (jwt.ValidTo < DateTime.UtcNow - _jwt.ClockSkew || jwt.Issuer != Issuer || !jwt.Audiences.Contains(Audience))
        {
            throw new InvalidDataException($"accepted a token expiring {jwt.ValidTo:O}, of issuer '{jwt.Issuer}' for '{string.Join(", ", jwt.Audiences)}'");
        }

        return CheckMapped(result.ClaimsIdentity);
    }

    private FuzzVerdict CheckClaims(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            return FuzzVerdict.Refuse(ex.Message);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return FuzzVerdict.Refuse("the claims are not a JSON object");
            }

            var identity = new ClaimsIdentity("fuzz");
            try
            {
                foreach (JsonProperty property in doc.RootElement.EnumerateObject())
                {
                    foreach (string value in Values(property.Value))
                    {
                        identity.AddClaim(new Claim(property.Name, value));
                    }
                }
            }
            catch (InvalidOperationException ex)
            {
                // A name or string that is not valid text ("\uD800") throws when read.
                return FuzzVerdict.Refuse("not valid text: " + ex.Message);
            }

            return CheckMapped(identity);
        }
    }

    private FuzzVerdict CheckMapped(ClaimsIdentity token)
    {
        ClaimsPrincipal mapped = TokenClaims.Map(new ClaimsPrincipal(token), _jwt, _access, NullLogger.Instance);
        string? agencyName = mapped.FindFirst(AccessClaims.Agency)?.Value;
        string? role = mapped.FindFirst(AccessClaims.Role)?.Value;
        string[] applications = [.. mapped.FindAll(NetworkApplications.Claim).Select(c => c.Value)];
        if (agencyName is null)
        {
            string? refused = mapped.FindFirst(AccessClaims.Refused)?.Value;
            if (string.IsNullOrEmpty(refused))
            {
                throw new InvalidDataException("a token given no agency without a reason");
            }

            if (role is not null || applications.Length > 0)
            {
                throw new InvalidDataException($"a refused token kept role '{role}' and {applications.Length} application(s)");
            }

            return FuzzVerdict.Refuse(refused);
        }

        CityAgency agency = _access.Agency(agencyName) ?? throw new InvalidDataException($"given agency '{agencyName}', which the city does not have");
        if (role is null || AccessRoles.Effective(agency.Role, role) != role)
        {
            throw new InvalidDataException($"given role '{role}' in {agency.Name}, whose role is {agency.Role}");
        }

        if (applications.Length > 0 && role != AccessRoles.Network)
        {
            throw new InvalidDataException($"given applications with role {role}");
        }

        if (applications.FirstOrDefault(a => a != NetworkApplications.Any && NetworkIds.Problem("application id", a) is not null) is { } bad)
        {
            throw new InvalidDataException($"given application '{bad}'");
        }

        if (mapped.FindFirst(AccessClaims.Subject)?.Value is not { Length: > 0 })
        {
            throw new InvalidDataException("given access without a subject");
        }

        return FuzzVerdict.Accept;
    }

    /// <summary>A claim's values as a token handler gives them: strings as they are, arrays one by one, other values as their JSON.</summary>
    private static IEnumerable<string> Values(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Array => value.EnumerateArray().SelectMany(Values),
        _ => [value.GetRawText()],
    };

    private byte[] Token(Dictionary<string, object> claims)
    {
        string token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            IssuedAt = IssuedAt,
            NotBefore = IssuedAt,
            Expires = Expires,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
        return Text(0, token);
    }

    private static byte[] Text(byte pick, string text) => [pick, .. Encoding.UTF8.GetBytes(text)];
}
