namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>Finds the grain of a twin by kind and id.</summary>
public static class TwinGrains
{
    public static ITwinGrain GetTwin(this IGrainFactory grains, TwinKind kind, string id) => kind switch
    {
        TwinKind.Streetlight => grains.Grain<IStreetlightGrain>(id),
        TwinKind.WaterMeter => grains.Grain<IWaterMeterGrain>(id),
        TwinKind.RoadSensor => grains.Grain<IRoadSensorGrain>(id),
        TwinKind.Bus => grains.Grain<IBusGrain>(id),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
