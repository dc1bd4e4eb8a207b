using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>The live twin of one RoadSensor device.</summary>
public sealed class RoadSensorGrain(
    [PersistentState("twin", TwinStorage.Name)] IPersistentState<RoadSensorState> state,
    IOptions<TwinOptions> options,
    TimeProvider time,
    ILogger<RoadSensorGrain> logger)
    : TwinGrain<RoadSensorState>(state, options, time, logger), IRoadSensorGrain;
