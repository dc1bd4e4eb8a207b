using Microsoft.Extensions.Logging;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>The live twin of one WaterMeter device.</summary>
public sealed class WaterMeterGrain(TwinServices services)
    : TwinGrain<WaterMeterState>(services), IWaterMeterGrain;
