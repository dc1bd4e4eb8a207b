namespace TwinCity.Web.Tests.Commands;

/// <summary>
/// The embedded city with a small per-device downlink budget and a short command history, so that
/// the budget and the idempotency window can be reached in a test.
/// </summary>
public sealed class BudgetCity : CityAppFactory
{
    public const int PerDevice = 5;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Twins:DownlinksPerDevice"] = PerDevice.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Twins:DownlinkWindow"] = "00:10:00",
        ["Twins:CommandHistory"] = "1",
    };
}
