using TwinCity.Grains.Interfaces.Cluster;

namespace TwinCity.Grains.Cluster;

/// <summary>Soft state: silos report again within seconds, so a restart of this grain loses nothing that matters.</summary>
public sealed class SiloReportsGrain : Grain, ISiloReportsGrain
{
    private readonly Dictionary<string, SiloReport> _reports = new(StringComparer.Ordinal);

    public Task ReportAsync(SiloReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _reports[report.Silo] = report;
        return Task.CompletedTask;
    }

    public ValueTask<SiloReport[]> GetReportsAsync() => ValueTask.FromResult(_reports.Values.ToArray());
}
