namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>
/// The contents of one twincity-traffic-v1 frame (docs/codecs.md). A null value was not measured in
/// the interval and travels as the field's "none" marker.
/// </summary>
/// <param name="VehicleCount">Vehicles counted in the reporting interval.</param>
/// <param name="MeanSpeedKmh">Mean speed of those vehicles, 0.1 km/h resolution; null when none passed.</param>
/// <param name="OccupancyPct">Share of the interval the detection zone was occupied, 0.5 % resolution.</param>
/// <param name="Surface">Road surface state, <see cref="RoadSurface.Unknown"/> without a surface sensor.</param>
/// <param name="Incident">The counter detected an incident (stopped vehicle, wrong-way driver).</param>
/// <param name="Hazard">The counter detected a hazard on the road (object, low visibility).</param>
/// <param name="Dark">Ambient light is below the counter's darkness threshold.</param>
/// <param name="BatteryPct">Battery charge; null for mains-powered counters.</param>
public readonly record struct TrafficFrame(
    ushort VehicleCount,
    double? MeanSpeedKmh = null,
    double? OccupancyPct = null,
    RoadSurface Surface = RoadSurface.Unknown,
    bool Incident = false,
    bool Hazard = false,
    bool Dark = false,
    byte? BatteryPct = null);
