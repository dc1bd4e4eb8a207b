namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>The twin grain type for <see cref="TwinKind.WaterMeter"/>.</summary>
[Alias("twincity.IWaterMeterGrain")]
public interface IWaterMeterGrain : ITwinGrain;
