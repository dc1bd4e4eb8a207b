namespace TwinCity.Web.Live;

/// <summary>How the live map push paces itself, and what one viewer may cost (section "Live").</summary>
public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>A connection gets at most one <c>twinChanged</c> per twin per this interval; the newest wins.</summary>
    public TimeSpan PerTwinInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often held-back changes are looked at.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How often this silo renews its subscriptions to cells and twins (well inside their lease).</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Areas one connection may watch at once (the map watches one: what is on screen).</summary>
    public int MaxAreasPerConnection { get; set; } = 8;

    /// <summary>Twins one connection may watch at once (the map watches one: the twin in its panel).</summary>
    public int MaxTwinsPerConnection { get; set; } = 32;

    /// <summary>Open hub connections one caller may hold: per key, per token subject, or per address for keyless viewers.</summary>
    public int MaxConnectionsPerCaller { get; set; } = 20;

    /// <summary>Hub calls a second one connection may make; beyond its burst a call is refused.</summary>
    public int CallsPerSecond { get; set; } = 10;

    /// <summary>Hub calls one connection may make at once before <see cref="CallsPerSecond"/> holds it back.</summary>
    public int CallBurst { get; set; } = 30;
}
