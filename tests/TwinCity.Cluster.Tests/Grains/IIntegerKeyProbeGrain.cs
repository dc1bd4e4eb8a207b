namespace TwinCity.Cluster.Tests.Grains;

/// <summary>Integer keys travel in GrainIdN1.</summary>
public interface IIntegerKeyProbeGrain : IProbeGrain, IGrainWithIntegerKey;
