using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Interfaces.Commands;

/// <summary>A command for a twin, already validated against the kind's catalogue (<see cref="CommandCatalog"/>).</summary>
/// <param name="Name">The command's name, e.g. "dim".</param>
/// <param name="Sets">The desired values it sets (empty for commands such as "readNow").</param>
/// <param name="By">Who asks: an agency ("azerishig") or a rule ("rule:{id}").</param>
/// <param name="Ttl">How long the command may take before it expires.</param>
/// <param name="ArgsJson">The arguments as given, kept for downlinks that send the decoded object.</param>
/// <param name="IdempotencyKey">A repeat of the same key by the same requester within 24 hours returns the first command.</param>
/// <param name="IfMatchVersion">When set, the command is refused unless the twin is at exactly this version.</param>
/// <param name="RuleId">When a rule issues it: the twin remembers the values it replaces, so the rule can restore them.</param>
/// <param name="HoldUntil">With <paramref name="RuleId"/>: when the rule's hold ends and the twin puts the values back by itself.</param>
/// <param name="OnlyIfHeldBy">When set, the command applies only while the desired values are still held by this requester (a rule undoing its effect must not undo an agency's later command).</param>
/// <param name="RequestHash">With <paramref name="IdempotencyKey"/>: a hash of what was asked (name, validated arguments, TTL); the same key with another hash is refused.</param>
/// <param name="ByKey">Which credential of <paramref name="By"/> asked (key id or token subject), for the audit trail.</param>
/// <param name="ChainDepth">With <paramref name="RuleId"/>: the depth of the rule chain that sent it; the change it makes is evaluated by the twin's rules at this depth, so that rules firing each other stop (<c>Rules:MaxChainDepth</c>).</param>
[GenerateSerializer, Immutable, Alias("twincity.command-request")]
public sealed record CommandRequest(
    [property: Id(0)] string Name,
    [property: Id(1)] Reading[] Sets,
    [property: Id(2)] string By,
    [property: Id(3)] TimeSpan Ttl,
    [property: Id(4)] string? ArgsJson = null,
    [property: Id(5)] string? IdempotencyKey = null,
    [property: Id(6)] long? IfMatchVersion = null,
    [property: Id(7)] string? RuleId = null,
    [property: Id(8)] string? OnlyIfHeldBy = null,
    [property: Id(9)] DateTime? HoldUntil = null,
    [property: Id(10)] int ChainDepth = 0,
    [property: Id(11)] string? RequestHash = null,
    [property: Id(12)] string? ByKey = null);
