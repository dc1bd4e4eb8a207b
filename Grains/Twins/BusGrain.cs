using Orleans.Placement;
using Microsoft.Extensions.Logging;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>The live twin of one Bus device.</summary>
// Placed on the silo that first calls it: in a cluster that is the silo owning its device, whose
// ingest applies the device's uplinks (docs/decisions/device-affinity.md).
[PreferLocalPlacement]
public sealed class BusGrain(TwinServices services)
    : TwinGrain<BusState>(services), IBusGrain
{
    /// <summary>The route a bus is registered on is its route until the bus itself reports another.</summary>
    protected override void OnProvisioned(TwinProvision provision)
    {
        if (provision.Route is not null && !State.Route.HasValue)
        {
            State.Apply(Reading.Of(TwinProperty.Route, provision.Route), Now);
        }
    }
}
