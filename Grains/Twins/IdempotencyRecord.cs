namespace TwinCity.Grains.Twins;

/// <summary>An Idempotency-Key a requester used on this twin, and the command it created.</summary>
[GenerateSerializer, Alias("twincity.idempotency")]
public sealed record IdempotencyRecord(
    [property: Id(0)] string Key,
    [property: Id(1)] string By,
    [property: Id(2)] string CommandId,
    [property: Id(3)] DateTime At);
