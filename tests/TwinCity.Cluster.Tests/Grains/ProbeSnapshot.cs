namespace TwinCity.Cluster.Tests.Grains;

/// <summary>What a probe grain holds, and which activation answered.</summary>
[GenerateSerializer]
[Immutable]
public sealed class ProbeSnapshot
{
    [Id(0)]
    public Guid ActivationId { get; init; }

    [Id(1)]
    public int Total { get; init; }

    [Id(2)]
    public IReadOnlyList<string> Notes { get; init; } = [];

    [Id(3)]
    public bool RecordExists { get; init; }

    [Id(4)]
    public string? ETag { get; init; }
}
