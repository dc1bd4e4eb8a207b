using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces.Cluster;
using TwinCity.Web.Live;

namespace TwinCity.Silo.Hosting;

/// <summary>Tells the cluster every two seconds how much this silo ingests and how many viewers it serves.</summary>
internal sealed partial class SiloReporter(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IngestMetrics ingest,
    LiveViewers viewers,
    IConfiguration configuration,
    ILogger<SiloReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        long lastApplied = ingest.Applied;
        long lastTicks = Environment.TickCount64;
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
        {
            long applied = ingest.Applied;
            long ticks = Environment.TickCount64;
            double rate = (applied - lastApplied) * 1000.0 / Math.Max(1, ticks - lastTicks);
            (lastApplied, lastTicks) = (applied, ticks);
            try
            {
                await grains.GetGrain<ISiloReportsGrain>(0).ReportAsync(new SiloReport(
                    silo.SiloAddress.ToString(), silo.Name, DateTime.UtcNow, applied, rate, viewers.ConnectionCount, configuration["urls"] ?? configuration["Urls"]));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogReportFailed(ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Silo report not delivered: {Reason}")]
    private partial void LogReportFailed(string reason);
}
