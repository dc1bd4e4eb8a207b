using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>The live twin of one RoadSensor device.</summary>
public sealed class RoadSensorGrain(
    [FromKeyedServices(TwinStorage.Name)] IGrainStorage storage,
    IOptions<TwinOptions> options,
    TimeProvider time,
    ILogger<RoadSensorGrain> logger)
    : TwinGrain<RoadSensorState>(storage, options, time, logger), IRoadSensorGrain;
