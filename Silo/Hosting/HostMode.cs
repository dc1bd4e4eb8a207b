namespace TwinCity.Silo.Hosting;

/// <summary>How the silo runs: one process with everything in memory, or one of many on PostgreSQL.</summary>
public enum HostMode
{
    Embedded,
    Cluster,
}
