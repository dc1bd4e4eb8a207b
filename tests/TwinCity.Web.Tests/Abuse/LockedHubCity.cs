namespace TwinCity.Web.Tests.Abuse;

/// <summary>
/// The embedded city behind Kestrel with keyless map viewers turned off, as a cluster always is
/// (API.md: a cluster's viewers need a reader's key); the demo keys stay, for the viewers that have one.
/// </summary>
public sealed class LockedHubCity : KestrelCity
{
    protected override string Name => "locked-hub-city";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Access__AnonymousViewers"] = "false",
        ["Seed__Enabled"] = "false",
        // The flood presents wrong keys from the tests' own address, which the limit on refused sign-ins
        // would shut out for a minute, the viewer with a key included; that limit has its own test.
        ["Access__FailedSignIn__Limit"] = "100000",
    };
}
