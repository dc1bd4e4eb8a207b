using TwinCity.Web.Auth;

namespace TwinCity.Web.Tests.Auth;

public sealed class AccessOptionsValidatorTests
{
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
            ],
        };
        options.RateLimit.PermitsPerSecond = 0;

        var result = new AccessOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        string failures = string.Join("\n", result.Failures!);
        Assert.Contains("Access:Keys:1:Agency 'police'", failures, StringComparison.Ordinal);
        Assert.Contains("Access:Keys:2:Sha256", failures, StringComparison.Ordinal);
        Assert.Contains("Access:Keys:3:Sha256 is the same key as Access:Keys:0", failures, StringComparison.Ordinal);
        Assert.Contains("Access:RateLimit:PermitsPerSecond", failures, StringComparison.Ordinal);
        Assert.DoesNotContain("Access:Keys:0", failures.Replace("as Access:Keys:0", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_keys_are_only_in_the_ring_when_asked_for()
    {
        var options = new AccessOptions { Keys = [new AccessKeyOptions { Agency = "transport", Sha256 = ApiKeyRing.HashHex("bus-key") }] };

        var without = new ApiKeyRing(options, demoKeys: false);
        var with = new ApiKeyRing(options, demoKeys: true);

        Assert.False(without.TryFind("dev-city", out _));
        Assert.True(without.TryFind("bus-key", out ApiKeyIdentity? bus));
        Assert.Equal("transport", bus.Agency);
        Assert.True(with.TryFind("dev-network", out ApiKeyIdentity? network));
        Assert.Equal("network", network.Agency);
        Assert.False(new AccessOptions().DemoKeysAllowed);
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
