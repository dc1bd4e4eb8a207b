namespace TwinCity.Bench.Rig;

/// <summary>A <c>twinChanged</c> a viewer received for a twin in its area: which streetlight, its energy counter (which names the uplink), and when it arrived (UTC ticks).</summary>
public readonly record struct SeenChange(int Device, double EnergyWh, long ReceivedTicks);
