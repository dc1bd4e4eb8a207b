namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>The twin grain type for <see cref="TwinKind.Streetlight"/>.</summary>
[Alias("twincity.IStreetlightGrain")]
public interface IStreetlightGrain : ITwinGrain;
