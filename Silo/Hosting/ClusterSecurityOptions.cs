namespace TwinCity.Silo.Hosting;

/// <summary>Configuration section "Cluster": what a cluster silo requires of the network it runs on.</summary>
public sealed class ClusterSecurityOptions
{
    public const string Section = "Cluster";

    /// <summary>
    /// Development only: lets a cluster silo start without TLS on a hop (Orleans, MQTT, PostgreSQL).
    /// Without it a cluster silo refuses to start until every hop has its certificates. Hops that are
    /// configured still use TLS.
    /// </summary>
    public bool Insecure { get; set; }

    public ClusterTlsOptions Tls { get; set; } = new();
}
