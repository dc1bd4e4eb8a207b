using TwinCity.Web.Auth;

namespace TwinCity.Web.Tests.Auth;

/// <summary>
/// The embedded city configured as a cluster must be: no demo keys, no keyless viewers, only hashed
/// keys from <c>Access:Keys</c>; and a rate limit small enough to reach in a test.
/// </summary>
public sealed class LockedCityFactory : CityAppFactory
{
    public const string CityKey = "locked-city-5b1f0c";
    public const string RoadsKey = "locked-roads-93aa1e";
    public const string TransportKey = "locked-transport-7c02d4";
    public const int Burst = 5;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Access:DemoKeys"] = "false",
        ["Access:AnonymousViewers"] = "false",
        ["Access:Keys:0:Agency"] = "city",
        ["Access:Keys:0:Sha256"] = ApiKeyRing.HashHex(CityKey),
        ["Access:Keys:1:Agency"] = "roads",
        // Upper case as some tools print it: accepted.
        ["Access:Keys:1:Sha256"] = ApiKeyRing.HashHex(RoadsKey).ToUpperInvariant(),
        ["Access:Keys:2:Agency"] = "transport",
        ["Access:Keys:2:Sha256"] = ApiKeyRing.HashHex(TransportKey),
        ["Access:RateLimit:PermitsPerSecond"] = "1",
        ["Access:RateLimit:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected override void ConfigureClient(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Remove(TestKeys.Header);
        client.DefaultRequestHeaders.Add(TestKeys.Header, CityKey);
    }
}
