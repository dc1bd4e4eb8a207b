namespace TwinCity.Silo.Hosting;

/// <summary>Says at start-up, as a warning, which hops of a cluster silo run without TLS because <c>Cluster:Insecure</c> is set.</summary>
internal sealed partial class InsecureClusterWarning(IReadOnlyList<string> hops, ILogger<InsecureClusterWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (hops.Count > 0)
        {
            LogInsecure(string.Join("; ", hops));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster:Insecure is set: these hops run without TLS, for development on a trusted network only: {Hops}")]
    private partial void LogInsecure(string hops);
}
