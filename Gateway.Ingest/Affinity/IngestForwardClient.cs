using Orleans.Runtime.Services;

namespace TwinCity.Gateway.Ingest.Affinity;

/// <summary>
/// Finds ingest's grain service on a silo, and the silo that owns a point of Orleans' consistent ring
/// (the ring grain services and reminders are partitioned by, built from the cluster's membership).
/// </summary>
public sealed class IngestForwardClient(IServiceProvider services) : GrainServiceClient<IIngestForwardService>(services)
{
    /// <summary>Silos remembered by the id of their service before the memory is started afresh (each start of a silo is a new address).</summary>
    private const int RememberedSilos = 64;

    private readonly Dictionary<GrainId, SiloAddress> _silos = [];
    private readonly Lock _gate = new();

    /// <summary>The silo whose ring range holds <paramref name="key"/>; null while the ring is empty (the silo is starting).</summary>
    /// <remarks>
    /// The ownership table asks this for each of its slots many times a second while the ring settles.
    /// Orleans names the silo only inside the service's id, as text; it is parsed once per silo and
    /// remembered, not once per slot.
    /// </remarks>
    public SiloAddress? OwnerOf(uint key)
    {
        GrainId service;
        try
        {
            service = GetGrainService(key).GetGrainId();
        }
        catch (Exception ex) when (ex is NullReferenceException or ArgumentException or InvalidOperationException)
        {
            return null;
        }

        lock (_gate)
        {
            if (_silos.TryGetValue(service, out SiloAddress? known))
            {
                return known;
            }
        }

        if (!SystemTargetGrainId.TryParse(service, out SystemTargetGrainId target))
        {
            return null;
        }

        SiloAddress silo = target.GetSiloAddress();
        lock (_gate)
        {
            if (_silos.Count >= RememberedSilos)
            {
                _silos.Clear();
            }

            _silos[service] = silo;
        }

        return silo;
    }

    /// <summary>Ingest's grain service on <paramref name="silo"/>.</summary>
    public IIngestForwardService On(SiloAddress silo) => GetGrainService(silo);
}
