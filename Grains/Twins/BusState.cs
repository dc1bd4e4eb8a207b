using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

[GenerateSerializer, Alias("twincity.bus-state")]
public sealed class BusState : TwinState
{
    [Id(0)] public Measured<double> Lat;
    [Id(1)] public Measured<double> Lon;
    [Id(2)] public Measured<double> SpeedKmh;
    [Id(3)] public Measured<double> HeadingDeg;
    [Id(4)] public Measured<string?> Route;
    [Id(5)] public Measured<string?> NextStop;
    [Id(6)] public Measured<double> OccupancyPct;
    [Id(7)] public MeasuredFlag DoorsOpen;

    public override TwinKind Kind => TwinKind.Bus;

    /// <summary>A bus is where its last fix put it; before its first fix, at its depot (installed position).</summary>
    public override GeoPoint Position => Lat.HasValue && Lon.HasValue ? new GeoPoint(Lat.Value, Lon.Value) : Installed;

    protected override bool ApplyKind(TwinProperty property, PropertyValue value, DateTime at)
    {
        switch (property)
        {
            case TwinProperty.Lat: Set(ref Lat, value.Number, at); break;
            case TwinProperty.Lon: Set(ref Lon, value.Number, at); break;
            case TwinProperty.SpeedKmh: Set(ref SpeedKmh, value.Number, at); break;
            case TwinProperty.HeadingDeg: Set(ref HeadingDeg, value.Number, at); break;
            case TwinProperty.Route: Set(ref Route, value.AsText, at); break;
            case TwinProperty.NextStop: Set(ref NextStop, value.AsText, at); break;
            case TwinProperty.OccupancyPct: Set(ref OccupancyPct, value.Number, at); break;
            case TwinProperty.DoorsOpen: Set(ref DoorsOpen, value.AsBool, at); break;
            default: return false;
        }

        return true;
    }

    protected override void ShareKindTexts()
    {
        Share(ref Route);
        Share(ref NextStop);
    }

    protected override void CollectKind(List<ReportedValue> into)
    {
        Add(into, TwinProperty.Lat, Lat);
        Add(into, TwinProperty.Lon, Lon);
        Add(into, TwinProperty.SpeedKmh, SpeedKmh);
        Add(into, TwinProperty.HeadingDeg, HeadingDeg);
        Add(into, TwinProperty.Route, Route);
        Add(into, TwinProperty.NextStop, NextStop);
        Add(into, TwinProperty.OccupancyPct, OccupancyPct);
        Add(into, TwinProperty.DoorsOpen, DoorsOpen);
    }
}
