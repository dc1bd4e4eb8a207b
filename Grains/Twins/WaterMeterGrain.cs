using Orleans.Placement;
using Microsoft.Extensions.Logging;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>The live twin of one WaterMeter device.</summary>
// Placed on the silo that first calls it: in a cluster that is the silo owning its device, whose
// ingest applies the device's uplinks (docs/decisions/device-affinity.md).
[PreferLocalPlacement]
public sealed class WaterMeterGrain(TwinServices services)
    : TwinGrain<WaterMeterState>(services), IWaterMeterGrain;
