using Orleans.Runtime.Services;

namespace TwinCity.Gateway.Ingest.Affinity;

/// <summary>
/// Finds ingest's grain service on a silo, and the silo that owns a point of Orleans' consistent ring
/// (the ring grain services and reminders are partitioned by, built from the cluster's membership).
/// </summary>
public sealed class IngestForwardClient(IServiceProvider services) : GrainServiceClient<IIngestForwardService>(services)
{
    /// <summary>The silo whose ring range holds <paramref name="key"/>; null while the ring is empty (the silo is starting).</summary>
    public SiloAddress? OwnerOf(uint key)
    {
        IIngestForwardService service;
        try
        {
            service = GetGrainService(key);
        }
        catch (Exception ex) when (ex is NullReferenceException or ArgumentException or InvalidOperationException)
        {
            return null;
        }

        return SystemTargetGrainId.TryParse(service.GetGrainId(), out SystemTargetGrainId target) ? target.GetSiloAddress() : null;
    }

    /// <summary>Ingest's grain service on <paramref name="silo"/>.</summary>
    public IIngestForwardService On(SiloAddress silo) => GetGrainService(silo);
}
