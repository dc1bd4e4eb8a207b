using Microsoft.Extensions.DependencyInjection;

namespace TwinCity.Gateway.Ingest.Affinity;

/// <summary>Wiring of device affinity, part of the cluster profile.</summary>
public static class AffinityExtensions
{
    /// <summary>
    /// Each device's uplinks are applied on the silo that owns it on Orleans' consistent ring: the
    /// silo that receives one for another silo's device passes it there in a batch. Each silo's broker
    /// session is named after the silo, and a dead silo's session is taken over by one survivor.
    /// </summary>
    public static ISiloBuilder AddIngestAffinity(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddGrainService<IngestForwardService>();
        silo.Services.AddSingleton<IngestForwardClient>();
        silo.Services.AddSingleton<DeviceOwnership>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<DeviceOwnership>());

        // Each silo's broker session is named after the silo, and a dead silo's is taken over by one survivor.
        silo.Services.AddSingleton<SiloSession>();
        silo.Services.AddHostedService<SessionTakeover>();
        return silo;
    }
}
