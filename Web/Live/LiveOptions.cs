namespace TwinCity.Web.Live;

/// <summary>How the live map push paces itself (section "Live").</summary>
public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>A connection gets at most one <c>twinChanged</c> per twin per this interval; the newest wins.</summary>
    public TimeSpan PerTwinInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often held-back changes are looked at.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How often this silo renews its subscriptions to cells and twins (well inside their lease).</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(30);
}
