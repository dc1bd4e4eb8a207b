namespace TwinCity.Cluster.Tests.Grains;

/// <summary>Stored by a provider with DeleteStateOnClear, so clearing removes the row.</summary>
public interface IDeletingProbeGrain : IProbeGrain, IGrainWithStringKey;
