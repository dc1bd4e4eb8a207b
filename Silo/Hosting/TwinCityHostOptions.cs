using System.ComponentModel.DataAnnotations;

namespace TwinCity.Silo.Hosting;

/// <summary>Configuration section "TwinCity".</summary>
public sealed class TwinCityHostOptions
{
    public const string Section = "TwinCity";

    /// <summary><c>Embedded</c> (default) or <c>Cluster</c>.</summary>
    public HostMode Mode { get; set; } = HostMode.Embedded;
}
