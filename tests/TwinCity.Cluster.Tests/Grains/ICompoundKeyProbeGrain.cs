namespace TwinCity.Cluster.Tests.Grains;

/// <summary>Guid keys split over GrainIdN0/N1, with the extension in its own column.</summary>
public interface ICompoundKeyProbeGrain : IProbeGrain, IGrainWithGuidCompoundKey;
