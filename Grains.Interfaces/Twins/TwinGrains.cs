namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>Finds the grain of a twin by kind and id.</summary>
public static class TwinGrains
{
    public static ITwinGrain GetTwin(this IGrainFactory grains, TwinKind kind, string id) => kind switch
    {
        TwinKind.Streetlight => grains.GetGrain<IStreetlightGrain>(id),
        TwinKind.WaterMeter => grains.GetGrain<IWaterMeterGrain>(id),
        TwinKind.RoadSensor => grains.GetGrain<IRoadSensorGrain>(id),
        TwinKind.Bus => grains.GetGrain<IBusGrain>(id),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
