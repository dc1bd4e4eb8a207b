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

    /// <summary>
    /// Embedded mode only: the silo port of another silo on this machine to join (development
    /// clustering), so that several embedded silos form one cluster without a database.
    /// </summary>
    [Range(1, 65535)]
    public int? PrimarySiloPort { get; set; }

    /// <summary>
    /// Embedded mode only: whether other embedded silos may join this one (through their
    /// <see cref="PrimarySiloPort"/>). A silo that may not runs alone and keeps no grain directory,
    /// some 120 bytes less per twin, and stops if another silo joins anyway.
    /// </summary>
    public bool Joinable { get; set; }

    /// <summary>Cluster mode: the address other silos reach this one at (default: the first non-loopback IPv4 address).</summary>
    public string? AdvertisedAddress { get; set; }

    [Required]
    public string ClusterId { get; set; } = "twincity";

    [Required]
    public string ServiceId { get; set; } = "twincity";
}
