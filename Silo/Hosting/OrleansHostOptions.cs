using System.ComponentModel.DataAnnotations;

namespace TwinCity.Silo.Hosting;

/// <summary>Configuration section "Orleans": ports and names of the cluster.</summary>
public sealed class OrleansHostOptions
{
    public const string Section = "Orleans";

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    [Required]
    public string ClusterId { get; set; } = "twincity";

    [Required]
    public string ServiceId { get; set; } = "twincity";
}
