namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>The device kinds a city runs. The byte values are persisted: never renumber.</summary>
public enum TwinKind : byte
{
    Streetlight = 0,
    WaterMeter = 1,
    RoadSensor = 2,
    Bus = 3,
}
