using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

[GenerateSerializer, Alias("twincity.streetlight-state")]
public sealed class StreetlightState : TwinState
{
    [Id(0)] public MeasuredFlag On;
    [Id(1)] public Measured<double> DimLevel;
    [Id(2)] public Measured<double> PowerW;
    [Id(3)] public Measured<double> EnergyWh;
    [Id(4)] public Measured<double> VoltageV;
    [Id(5)] public Measured<double> PowerFactor;
    [Id(6)] public MeasuredFlag LampFault;

    public override TwinKind Kind => TwinKind.Streetlight;

    protected override bool ApplyKind(TwinProperty property, PropertyValue value, DateTime at)
    {
        switch (property)
        {
            case TwinProperty.On: Set(ref On, value.AsBool, at); break;
            case TwinProperty.DimLevel: Set(ref DimLevel, value.Number, at); break;
            case TwinProperty.PowerW: Set(ref PowerW, value.Number, at); break;
            case TwinProperty.EnergyWh: Set(ref EnergyWh, value.Number, at); break;
            case TwinProperty.VoltageV: Set(ref VoltageV, value.Number, at); break;
            case TwinProperty.PowerFactor: Set(ref PowerFactor, value.Number, at); break;
            case TwinProperty.LampFault: Set(ref LampFault, value.AsBool, at); break;
            default: return false;
        }

        return true;
    }

    protected override void CollectKind(List<ReportedValue> into)
    {
        Add(into, TwinProperty.On, On);
        Add(into, TwinProperty.DimLevel, DimLevel);
        Add(into, TwinProperty.PowerW, PowerW);
        Add(into, TwinProperty.EnergyWh, EnergyWh);
        Add(into, TwinProperty.VoltageV, VoltageV);
        Add(into, TwinProperty.PowerFactor, PowerFactor);
        Add(into, TwinProperty.LampFault, LampFault);
    }
}
