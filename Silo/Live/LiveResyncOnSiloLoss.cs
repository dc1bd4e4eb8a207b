using Microsoft.Extensions.Hosting;
using TwinCity.Web.Live;

namespace TwinCity.Silo.Live;

/// <summary>
/// Cluster mode: when Orleans declares a silo dead, this silo's live map subscribes again to the cells
/// its viewers watch and sends them as they stand (<see cref="LiveViewers.ResyncAsync"/>), rather than
/// leaving the cells that woke elsewhere unwatched until the next renewal.
/// </summary>
internal sealed class LiveResyncOnSiloLoss(IClusterMembershipService membership, LiveViewers viewers) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dead = new HashSet<SiloAddress>(membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress));
        try
        {
            await foreach (ClusterMembershipSnapshot snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                bool lost = false;
                foreach (ClusterMember member in snapshot.Members.Values)
                {
                    lost |= member.Status == SiloStatus.Dead && dead.Add(member.SiloAddress);
                }

                if (lost)
                {
                    await viewers.ResyncAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
