namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>A command on a twin and where it stands.</summary>
[GenerateSerializer, Immutable, Alias("twincity.command")]
public sealed record CommandInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] CommandStatus Status,
    [property: Id(3)] string By,
    [property: Id(4)] DateTime CreatedAt,
    [property: Id(5)] DateTime UpdatedAt,
    [property: Id(6)] DateTime ExpiresAt,
    [property: Id(7)] IReadOnlyList<Reading> Sets,
    [property: Id(8)] string? Reason = null,
    [property: Id(9)] string? ArgsJson = null);
