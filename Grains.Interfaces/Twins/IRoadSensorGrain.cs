namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>The twin grain type for <see cref="TwinKind.RoadSensor"/>.</summary>
[Alias("twincity.IRoadSensorGrain")]
public interface IRoadSensorGrain : ITwinGrain;
