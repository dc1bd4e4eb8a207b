namespace TwinCity.Web.Tests.Abuse;

/// <summary>The city the abuse tests share; it logs at debug level so that the tests can check no key reaches the log.</summary>
public sealed class AbusedCity : KestrelCity
{
    protected override string Name => "abused-city";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Logging__LogLevel__Default"] = "Debug",
        ["Logging__LogLevel__Polly"] = "Warning",
        // The abuse comes from the tests' own address, which the limit on refused sign-ins would otherwise
        // shut out for a minute; that limit has its own test (SignInLimitTests).
        ["Access__FailedSignIn__Limit"] = "100000",
    };
}
