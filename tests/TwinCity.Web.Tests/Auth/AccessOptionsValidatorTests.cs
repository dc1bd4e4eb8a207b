using System.Net;
using TwinCity.Web.Auth;

namespace TwinCity.Web.Tests.Auth;

public sealed class AccessOptionsValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Bad_keys_and_limits_are_refused_naming_the_setting()
    {
        var options = new AccessOptions
        {
            Keys =
            [
                new AccessKeyOptions { Agency = "city", Sha256 = ApiKeyRing.HashHex("k1") },
                new AccessKeyOptions { Agency = "police", Sha256 = ApiKeyRing.HashHex("k2") },
                new AccessKeyOptions { Agency = "roads", Sha256 = "dev-roads" },
                new AccessKeyOptions { Agency = "azersu", Sha256 = ApiKeyRing.HashHex("k1") },
                new AccessKeyOptions { Agency = "network", Sha256 = ApiKeyRing.HashHex("k5"), Role = "reader" },
            ],
        };
        options.RateLimit.PermitsPerSecond = 0;

        var result = new AccessOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        string failures = string.Join("\n", result.Failures!);
        Assert.Contains("Access:Keys:1:Agency 'police'", failures, StringComparison.Ordinal);
        Assert.Contains("Access:Keys:2:Sha256", failures, StringComparison.Ordinal);
        Assert.Contains("Access:Keys:3:Sha256 is the same key as Access:Keys:0", failures, StringComparison.Ordinal);
        Assert.Contains("Access:Keys:4:Role 'reader'", failures, StringComparison.Ordinal);
        Assert.Contains("Access:RateLimit:PermitsPerSecond", failures, StringComparison.Ordinal);
        Assert.DoesNotContain("Access:Keys:0", failures.Replace("as Access:Keys:0", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_agencies_replace_Baku_and_bad_ones_are_named()
    {
        var options = new AccessOptions
        {
            Agencies = new()
            {
                ["ecology"] = new AgencyOptions { Role = "reader" },
                ["lights"] = new AgencyOptions { Kinds = ["streetlights", "lamps"] },
                ["ops"] = new AgencyOptions { Role = "admin" },
                ["net"] = new AgencyOptions { Role = "network", Kinds = ["buses"] },
            },
            Keys = [new AccessKeyOptions { Agency = "city", Sha256 = ApiKeyRing.HashHex("k1") }],
        };

        string failures = string.Join("\n", new AccessOptionsValidator().Validate(null, options).Failures!);

        Assert.Contains("Access:Agencies:lights:Kinds:1 'lamps'", failures, StringComparison.Ordinal);
        Assert.Contains("Access:Agencies:ops:Role 'admin'", failures, StringComparison.Ordinal);
        Assert.Contains("Access:Agencies:net:Kinds", failures, StringComparison.Ordinal);
        // Baku's agencies are gone once any agency is configured.
        Assert.Contains("Access:Keys:0:Agency 'city' is not an agency", failures, StringComparison.Ordinal);
        Assert.DoesNotContain("Access:Agencies:ecology", failures, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokens_need_an_audience_and_an_issuer_or_authority()
    {
        var options = new AccessOptions { Jwt = new AccessJwtOptions { SigningKeys = "{\"keys\":[]}" } };
        string failures = string.Join("\n", new AccessOptionsValidator().Validate(null, options).Failures!);
        Assert.Contains("Access:Jwt:Audience", failures, StringComparison.Ordinal);
        Assert.Contains("Access:Jwt:Issuer", failures, StringComparison.Ordinal);

        options.Jwt = new AccessJwtOptions { Authority = "http://idp.city.example", Audience = "twincity" };
        failures = string.Join("\n", new AccessOptionsValidator().Validate(null, options).Failures!);
        Assert.Contains("Access:Jwt:Authority must use https", failures, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_keys_are_only_in_the_ring_when_asked_for_and_only_from_loopback()
    {
        var options = new AccessOptions { Keys = [new AccessKeyOptions { Agency = "transport", Sha256 = ApiKeyRing.HashHex("bus-key") }] };
        IReadOnlyDictionary<string, CityAgency> agencies = AccessDirectory.AgenciesOf(options);

        var without = new ApiKeyRing(options.Keys, agencies, demoKeys: false);
        var with = new ApiKeyRing(options.Keys, agencies, demoKeys: true);

        Assert.False(without.TryFind("dev-city", Now, IPAddress.Loopback, out _, out _));
        Assert.True(without.TryFind("bus-key", Now, IPAddress.Parse("192.0.2.7"), out ApiKeyIdentity? bus, out _));
        Assert.Equal("transport", bus.Agency);
        Assert.Equal(AccessRoles.Agency, bus.Role);
        Assert.True(with.TryFind("dev-network", Now, IPAddress.IPv6Loopback, out ApiKeyIdentity? network, out _));
        Assert.Equal(AccessRoles.Network, network.Role);
        Assert.True(with.TryFind("dev-city", Now, IPAddress.Loopback.MapToIPv6(), out _, out _));
        Assert.False(with.TryFind("dev-city", Now, IPAddress.Parse("192.0.2.7"), out _, out string? refusal));
        Assert.Contains("demo key", refusal, StringComparison.Ordinal);
        Assert.False(new AccessOptions().DemoKeysAllowed);
    }

    [Fact]
    public void A_key_past_its_expiry_or_narrowed_to_reads_is_what_its_settings_say()
    {
        var options = new AccessOptions
        {
            Keys =
            [
                new AccessKeyOptions { Agency = "roads", Sha256 = ApiKeyRing.HashHex("old"), Expires = Now.AddSeconds(-1) },
                new AccessKeyOptions { Agency = "roads", Sha256 = ApiKeyRing.HashHex("viewer"), Role = "reader", Expires = Now.AddDays(1) },
            ],
        };
        var ring = new ApiKeyRing(options.Keys, AccessDirectory.AgenciesOf(options), demoKeys: false);

        Assert.False(ring.TryFind("old", Now, IPAddress.Loopback, out _, out string? refusal));
        Assert.Equal("expired key", refusal);
        Assert.True(ring.TryFind("viewer", Now, IPAddress.Loopback, out ApiKeyIdentity? viewer, out _));
        Assert.Equal(AccessRoles.Reader, viewer.Role);
        Assert.True(ring.StillValid(viewer.KeyId, "roads", AccessRoles.Reader, Now));
        Assert.False(ring.StillValid(viewer.KeyId, "roads", AccessRoles.Reader, Now.AddDays(2)));
    }

    [Fact]
    public void Network_key_must_name_the_applications_it_speaks_for()
    {
        var options = new AccessOptions
        {
            Keys =
            [
                new AccessKeyOptions { Agency = "network", Sha256 = ApiKeyRing.HashHex("ns-1") },
                new AccessKeyOptions { Agency = "network", Sha256 = ApiKeyRing.HashHex("ns-2"), Applications = ["lights", "bad/app"] },
                new AccessKeyOptions { Agency = "roads", Sha256 = ApiKeyRing.HashHex("roads-1"), Applications = ["lights"] },
                new AccessKeyOptions { Agency = "network", Sha256 = ApiKeyRing.HashHex("ns-3"), Applications = ["*"] },
            ],
        };

        string failures = string.Join("\n", new AccessOptionsValidator().Validate(null, options).Failures!);

        Assert.Contains("Access:Keys:0:Applications must name the applications", failures, StringComparison.Ordinal);
        Assert.Contains("Access:Keys:1:Applications:1 'bad/app'", failures, StringComparison.Ordinal);
        Assert.Contains("Access:Keys:2:Applications is only for network servers' keys", failures, StringComparison.Ordinal);
        Assert.DoesNotContain("Access:Keys:3", failures, StringComparison.Ordinal);
    }
}
