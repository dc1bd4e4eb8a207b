using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Commands;

[GenerateSerializer, Immutable, Alias("twincity.command-result")]
public sealed record CommandResult(
    [property: Id(0)] CommandOutcome Outcome,
    [property: Id(1)] CommandInfo? Command,
    [property: Id(2)] long Version,
    [property: Id(3)] TimeSpan? RetryAfter = null,
    [property: Id(4)] string? Reason = null);
