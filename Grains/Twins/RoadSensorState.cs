using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

[GenerateSerializer, Alias("twincity.road-sensor-state")]
public sealed class RoadSensorState : TwinState
{
    [Id(0)] public Measured<double> VehicleCount;
    [Id(1)] public Measured<double> MeanSpeedKmh;
    [Id(2)] public Measured<double> OccupancyPct;
    [Id(3)] public MeasuredFlag ParkingOccupied;
    [Id(4)] public Measured<string?> Surface;
    [Id(5)] public MeasuredFlag Incident;
    [Id(6)] public MeasuredFlag Hazard;
    [Id(7)] public MeasuredFlag Dark;

    public override TwinKind Kind => TwinKind.RoadSensor;

    protected override bool ApplyKind(TwinProperty property, PropertyValue value, DateTime at)
    {
        switch (property)
        {
            case TwinProperty.VehicleCount: Set(ref VehicleCount, value.Number, at); break;
            case TwinProperty.MeanSpeedKmh: Set(ref MeanSpeedKmh, value.Number, at); break;
            case TwinProperty.OccupancyPct: Set(ref OccupancyPct, value.Number, at); break;
            case TwinProperty.ParkingOccupied: Set(ref ParkingOccupied, value.AsBool, at); break;
            case TwinProperty.Surface: Set(ref Surface, value.AsText, at); break;
            case TwinProperty.Incident: Set(ref Incident, value.AsBool, at); break;
            case TwinProperty.Hazard: Set(ref Hazard, value.AsBool, at); break;
            case TwinProperty.Dark: Set(ref Dark, value.AsBool, at); break;
            default: return false;
        }

        return true;
    }

    protected override void ShareKindTexts()
    {
        Share(ref Surface);
    }

    protected override void CollectKind(List<ReportedValue> into)
    {
        Add(into, TwinProperty.VehicleCount, VehicleCount);
        Add(into, TwinProperty.MeanSpeedKmh, MeanSpeedKmh);
        Add(into, TwinProperty.OccupancyPct, OccupancyPct);
        Add(into, TwinProperty.ParkingOccupied, ParkingOccupied);
        Add(into, TwinProperty.Surface, Surface);
        Add(into, TwinProperty.Incident, Incident);
        Add(into, TwinProperty.Hazard, Hazard);
        Add(into, TwinProperty.Dark, Dark);
    }
}
