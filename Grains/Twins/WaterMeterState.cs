using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

[GenerateSerializer, Alias("twincity.water-meter-state")]
public sealed class WaterMeterState : TwinState
{
    [Id(0)] public Measured<double> VolumeM3;
    [Id(1)] public Measured<double> FlowM3h;
    [Id(2)] public MeasuredFlag Leak;
    [Id(3)] public MeasuredFlag Burst;
    [Id(4)] public MeasuredFlag Backflow;
    [Id(5)] public Measured<string?> Valve;

    public override TwinKind Kind => TwinKind.WaterMeter;

    protected override bool ApplyKind(TwinProperty property, PropertyValue value, DateTime at)
    {
        switch (property)
        {
            case TwinProperty.VolumeM3:
                // A meter that reports volume but not flow: derive the flow from two readings.
                if (VolumeM3.HasValue && at > VolumeM3.At && !FlowReportedWith(at))
                {
                    double hours = (at - VolumeM3.At).TotalHours;
                    Set(ref FlowM3h, Math.Max(0, (value.Number - VolumeM3.Value) / hours), at);
                }

                Set(ref VolumeM3, value.Number, at);
                break;
            case TwinProperty.FlowM3h: Set(ref FlowM3h, value.Number, at); break;
            case TwinProperty.Leak: Set(ref Leak, value.AsBool, at); break;
            case TwinProperty.Burst: Set(ref Burst, value.AsBool, at); break;
            case TwinProperty.Backflow: Set(ref Backflow, value.AsBool, at); break;
            case TwinProperty.Valve: Set(ref Valve, value.AsText, at); break;
            default: return false;
        }

        return true;
    }

    private bool FlowReportedWith(DateTime at) => FlowM3h.At == at;

    protected override void ShareKindTexts()
    {
        Share(ref Valve);
    }

    protected override void CollectKind(List<ReportedValue> into)
    {
        Add(into, TwinProperty.VolumeM3, VolumeM3);
        Add(into, TwinProperty.FlowM3h, FlowM3h);
        Add(into, TwinProperty.Leak, Leak);
        Add(into, TwinProperty.Burst, Burst);
        Add(into, TwinProperty.Backflow, Backflow);
        Add(into, TwinProperty.Valve, Valve);
    }
}
