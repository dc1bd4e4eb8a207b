namespace TwinCity.Cluster.Tests.Grains;

/// <summary>A grain whose whole job is to persist a small state through the ADO.NET storage provider.</summary>
public interface IProbeGrain : IGrain
{
    Task<ProbeSnapshot> Add(int amount, string note);

    Task<ProbeSnapshot> Read();

    Task Clear();
}
