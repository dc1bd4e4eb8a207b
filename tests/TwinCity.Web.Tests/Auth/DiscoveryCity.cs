using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TwinCity.Testing;
using TwinCity.Web.Tests.Abuse;

namespace TwinCity.Web.Tests.Auth;

/// <summary>
/// The city signing in through an identity provider by OIDC discovery (<c>Access:Jwt:Authority</c>):
/// the provider is a small web app in the test process that serves its discovery document and key set
/// over HTTP on loopback, as a development provider would.
/// </summary>
public sealed class DiscoveryCity : KestrelCity, IDisposable
{
    public const string Audience = "twincity-api";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly WebApplication _provider;

    public DiscoveryCity()
    {
        int port = FreePort.Next();
        Issuer = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Issuer);
        _provider = builder.Build();
        RSAParameters p = _rsa.ExportParameters(includePrivateParameters: false);
        _provider.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = Issuer + "/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        _provider.MapGet("/jwks", () => Results.Json(new
        {
            keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = "idp-key", n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } },
        }));
        _provider.StartAsync().GetAwaiter().GetResult();
    }

    public string Issuer { get; }

    protected override string Name => "discovery-city";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Seed__Enabled"] = "false",
        ["Access__DemoKeys"] = "false",
        ["Access__Jwt__Authority"] = Issuer,
        ["Access__Jwt__RequireHttpsMetadata"] = "false",
        ["Access__Jwt__Audience"] = Audience,
    };

    /// <summary>A token for <paramref name="agency"/>, signed by the provider's key or, with <paramref name="signer"/>, another one.</summary>
    public string Token(string agency, string? audience = null, RSA? signer = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience ?? Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "erin@" + agency, ["agency"] = agency },
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signer ?? _rsa) { KeyId = "idp-key" }, SecurityAlgorithms.RsaSha256),
        });

    public void Dispose()
    {
        _provider.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _rsa.Dispose();
    }
}
