namespace TwinCity.Web.Tests.Abuse;

/// <summary>The city the abuse tests share; it logs at debug level so that the tests can check no key reaches the log.</summary>
public sealed class AbusedCity : KestrelCity
{
    protected override string Name => "abused-city";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Logging__LogLevel__Default"] = "Debug",
        ["Logging__LogLevel__Polly"] = "Warning",
    };
}
