using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>
/// An Idempotency-Key a requester used on this twin, and the command it created: its hash tells a
/// repeat from another command under the same key, and the command as first answered is kept for the
/// key's whole window, after the twin has pruned it from its list.
/// </summary>
[GenerateSerializer, Alias("twincity.idempotency")]
public sealed record IdempotencyRecord(
    [property: Id(0)] string Key,
    [property: Id(1)] string By,
    [property: Id(2)] string CommandId,
    [property: Id(3)] DateTime At,
    [property: Id(4)] string? RequestHash = null,
    [property: Id(5)] CommandInfo? Command = null);
