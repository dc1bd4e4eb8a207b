namespace TwinCity.Web.Apis;

/// <summary>What <c>PUT /rules/{id}</c> demands of a rule (keys in section "Rules", beside the city's place and hours).</summary>
public sealed class RuleLimitsOptions
{
    public const string Section = "Rules";

    /// <summary>
    /// The least <c>cooldownSeconds</c> of a rule whose effects send downlinks: a rule that may fire
    /// again at once from the same twin over a wide area would spend every device's downlink budget.
    /// Rules whose effects stay on the platform (alerts, advisories, road-sensor marks) may have none, and so
    /// may route-ahead rules, which follow a moving vehicle (firing again extends the lamps' hold, no new downlink).
    /// </summary>
    public double MinCommandCooldownSeconds { get; set; } = 5;
}
