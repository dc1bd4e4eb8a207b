using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TwinCity.Grains.Cells.Relay;

/// <summary>Wiring of the cell relay, part of the cluster profile.</summary>
public static class CellRelayExtensions
{
    /// <summary>
    /// A twin's changes for a cell active on another silo go there in batches, one per silo per
    /// <see cref="CellOptions.RelayWindow"/>, instead of one message each.
    /// </summary>
    public static ISiloBuilder AddCellRelay(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddGrainService<CellRelayService>();
        silo.Services.AddSingleton<CellRelayClient>();
        silo.Services.AddSingleton<CellRelay>();
        silo.Services.RemoveAll<ICellUpdates>();
        silo.Services.AddSingleton<ICellUpdates>(sp => sp.GetRequiredService<CellRelay>());
        silo.Services.AddHostedService(sp => sp.GetRequiredService<CellRelay>());
        return silo;
    }
}
