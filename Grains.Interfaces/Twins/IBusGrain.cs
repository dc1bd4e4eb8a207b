namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>The twin grain type for <see cref="TwinKind.Bus"/>.</summary>
[Alias("twincity.IBusGrain")]
public interface IBusGrain : ITwinGrain;
