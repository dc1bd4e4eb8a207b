using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TwinCity.Gateway.Ingest;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Cluster;
using TwinCity.Grains.Storage;
using TwinCity.Grains.Twins;
using TwinCity.Testing;

namespace TwinCity.Bench.Engine;

/// <summary>
/// A silo in this process with the embedded city's configuration (localhost clustering, in-memory
/// grain storage and reminders, the TwinCity grains, server GC as the Silo project sets it), for the
/// figures that need the runtime's own view: the empty-grain call rate and the managed heap per twin.
/// Of ingest it has only the device directory (<see cref="Directory"/>), whose cached routes and twin
/// ids the embedded city's silo keeps for every device it hears and its twins share.
/// </summary>
public sealed class LocalSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private LocalSilo(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Ingest's cache of device registrations, as the embedded city's silo holds it.</summary>
    public DeviceDirectory Directory => _host.Services.GetRequiredService<DeviceDirectory>();

    public static async Task<LocalSilo> StartAsync(CancellationToken cancellationToken)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        // As in the embedded city: in-memory state dies with the process, nothing to write on the way out.
        builder.Services.PostConfigure<TwinOptions>(o => o.SnapshotOnShutdown = false);
        builder.Services.AddOptions<IngestOptions>();
        builder.Services.AddSingleton<DeviceDirectory>();
        builder.Services.AddSingleton<ISharedTwinIds>(sp => sp.GetRequiredService<DeviceDirectory>());
        builder.UseOrleans(silo =>
        {
            silo.AddTwinCityGrains();
            silo.UseLocalhostClustering(FreePort.Next(), FreePort.Next());
            silo.UseOneSiloStorage();
            silo.UseLoneSiloDirectory();
            silo.UseInMemoryReminderService();
        });
        IHost host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new LocalSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        // A million activations take a while to deactivate; the figures are taken, so do not wait long.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _host.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopped hard.
        }

        _host.Dispose();
    }
}
