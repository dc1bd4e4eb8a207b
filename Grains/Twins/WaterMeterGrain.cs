using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>The live twin of one WaterMeter device.</summary>
public sealed class WaterMeterGrain(
    [PersistentState("twin", TwinStorage.Name)] IPersistentState<WaterMeterState> state,
    IOptions<TwinOptions> options,
    TimeProvider time,
    ILogger<WaterMeterGrain> logger)
    : TwinGrain<WaterMeterState>(state, options, time, logger), IWaterMeterGrain;
