using TwinCity.Web.Auth;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>
/// The embedded city with a network server's key scoped to one application (besides the demo keys),
/// and its MQTT intake limited to the applications the city runs.
/// </summary>
public sealed class ScopedNetworkCity : CityAppFactory
{
    /// <summary>A key that may speak for application "lights-a" only.</summary>
    public const string NetworkKeyA = "scoped-network-a-41c7";

    public const string ApplicationA = "lights-a";

    public const string ApplicationB = "lights-b";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Access:Keys:0:Agency"] = "network",
        ["Access:Keys:0:Sha256"] = ApiKeyRing.HashHex(NetworkKeyA),
        ["Access:Keys:0:Name"] = "chirpstack of lights-a",
        ["Access:Keys:0:Applications:0"] = ApplicationA,
        ["Mqtt:Applications:0"] = ApplicationA,
        ["Mqtt:Applications:1"] = ApplicationB,
    };
}
