using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>The live twin of one Streetlight device.</summary>
public sealed class StreetlightGrain(
    [PersistentState("twin", TwinStorage.Name)] IPersistentState<StreetlightState> state,
    IOptions<TwinOptions> options,
    TimeProvider time,
    ILogger<StreetlightGrain> logger)
    : TwinGrain<StreetlightState>(state, options, time, logger), IStreetlightGrain;
