namespace TwinCity.Cluster.Tests.Grains;

/// <summary>String keys travel in the storage row's key-extension column.</summary>
public interface IStringKeyProbeGrain : IProbeGrain, IGrainWithStringKey;
