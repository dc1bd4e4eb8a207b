using TwinCity.Web.Tests.Abuse;

namespace TwinCity.Web.Tests.Auth;

/// <summary>
/// The embedded city with its demo keys, bound to every address (so that a test can call it from
/// this machine's own network address, as another machine would), with limits per caller small
/// enough to reach in a test.
/// </summary>
public sealed class LimitedCity : KestrelCity
{
    public const int ConnectionsPerCaller = 3;
    public const int AreasPerConnection = 2;
    public const int TwinsPerConnection = 2;
    public const int CallsPerSecond = 5;
    public const int CallBurst = 10;
    public const int FailedSignIns = 5;
    public static readonly TimeSpan FailedSignInWindow = TimeSpan.FromSeconds(4);

    protected override string Name => "limited-city";

    protected override string ListenHost => "0.0.0.0";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Seed__Enabled"] = "false",
        ["Live__MaxConnectionsPerCaller"] = ConnectionsPerCaller.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Live__MaxAreasPerConnection"] = AreasPerConnection.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Live__MaxTwinsPerConnection"] = TwinsPerConnection.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Live__CallsPerSecond"] = CallsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Live__CallBurst"] = CallBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Access__FailedSignIn__Limit"] = FailedSignIns.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Access__FailedSignIn__Window"] = FailedSignInWindow.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
    };
}
