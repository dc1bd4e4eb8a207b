namespace TwinCity.Cluster.Tests.Grains;

[GenerateSerializer]
public sealed class ProbeState
{
    [Id(0)]
    public int Total { get; set; }

    [Id(1)]
    public List<string> Notes { get; set; } = [];
}
