using Orleans.Placement;
using Microsoft.Extensions.Logging;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>The live twin of one Streetlight device.</summary>
// Placed on the silo that first calls it: in a cluster that is the silo owning its device, whose
// ingest applies the device's uplinks (docs/decisions/device-affinity.md).
[PreferLocalPlacement]
public sealed class StreetlightGrain(TwinServices services)
    : TwinGrain<StreetlightState>(services), IStreetlightGrain
{
    /// <summary>
    /// A lamp switched on that draws less than this has failed. A healthy lamp dimmed to its lowest
    /// level still draws several watts; a controller with a dead lamp draws its own standby only.
    /// </summary>
    public const double LampFaultBelowW = 3.0;

    /// <summary>
    /// Lamp controllers such as the Milesight WS558 report their relay and power draw but no fault
    /// flag: the twin tells a failed lamp from the two, measured together in one report. A device
    /// that reports the flag itself is believed, and while the lamp is off nothing can be told.
    /// </summary>
    protected override void OnUplinkApplied(Uplink uplink)
    {
        StreetlightState s = State;
        if (!s.On.HasValue || !s.PowerW.HasValue || s.On.At != s.PowerW.At || !s.On.Value)
        {
            return;
        }

        if (s.LampFault.HasValue && s.LampFault.At >= s.On.At)
        {
            return;
        }

        bool failed = s.PowerW.Value < LampFaultBelowW;
        if (!s.LampFault.HasValue || s.LampFault.Value != failed)
        {
            s.LampFault = new MeasuredFlag { Value = failed, At = s.On.At };
        }
    }
}
