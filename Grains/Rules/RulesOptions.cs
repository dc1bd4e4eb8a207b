namespace TwinCity.Grains.Rules;

/// <summary>Where the city is, for rules active at night or at fixed local hours (section "Rules").</summary>
public sealed class RulesOptions
{
    public const string Section = "Rules";

    /// <summary>The city's latitude for sunrise and sunset (Baku by default).</summary>
    public double Latitude { get; set; } = 40.4093;

    /// <summary>The city's longitude, positive east.</summary>
    public double Longitude { get; set; } = 49.8671;

    /// <summary>The city's offset from UTC for fixed active hours (Baku keeps +04:00 all year).</summary>
    public TimeSpan UtcOffset { get; set; } = TimeSpan.FromHours(4);

    /// <summary>A silo's cache asks for the rules again when its subscription is this old, in case a change notice was lost.</summary>
    public TimeSpan CacheLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many firings each rule keeps for <c>GET /rules/{id}/firings</c>.</summary>
    public int FiringsKept { get; set; } = 200;

    /// <summary>
    /// How many rules may fire in a row, each from the change another one made: a firing deeper than this
    /// is not carried out but recorded as stopped, so that rules triggering each other cannot loop.
    /// </summary>
    public int MaxChainDepth { get; set; } = 3;
}
