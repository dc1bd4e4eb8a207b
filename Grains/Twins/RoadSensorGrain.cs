using Microsoft.Extensions.Logging;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>The live twin of one RoadSensor device.</summary>
public sealed class RoadSensorGrain(TwinServices services)
    : TwinGrain<RoadSensorState>(services), IRoadSensorGrain;
