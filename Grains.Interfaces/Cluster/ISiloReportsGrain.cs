namespace TwinCity.Grains.Interfaces.Cluster;

/// <summary>The latest report of every silo (key 0), for <c>GET /api/v1/cluster</c>.</summary>
[Alias("twincity.ISiloReportsGrain")]
public interface ISiloReportsGrain : IGrainWithIntegerKey
{
    [Alias("Report")]
    Task ReportAsync(SiloReport report);

    [Alias("GetReports")]
    ValueTask<SiloReport[]> GetReportsAsync();
}
