using Orleans.Runtime.Services;

namespace TwinCity.Grains.Cells.Relay;

/// <summary>Finds the cells' grain service on a silo.</summary>
public sealed class CellRelayClient(IServiceProvider services) : GrainServiceClient<ICellRelayService>(services)
{
    /// <summary>The cells' grain service on <paramref name="silo"/>.</summary>
    public ICellRelayService On(SiloAddress silo) => GetGrainService(silo);
}
