using System.Collections.Frozen;

namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>The catalogue of reported properties (API.md, "The twin document").</summary>
public static class PropertyCatalog
{
    private static readonly TwinKind[] AllKinds = [TwinKind.Streetlight, TwinKind.WaterMeter, TwinKind.RoadSensor, TwinKind.Bus];
    private static readonly TwinKind[] Lights = [TwinKind.Streetlight];
    private static readonly TwinKind[] Meters = [TwinKind.WaterMeter];
    private static readonly TwinKind[] Roads = [TwinKind.RoadSensor];
    private static readonly TwinKind[] Buses = [TwinKind.Bus];

    public static readonly IReadOnlyList<PropertyInfo> All =
    [
        new(TwinProperty.BatteryPct, "batteryPct", PropertyType.Number, AllKinds, 0, 100),
        new(TwinProperty.Rssi, "rssi", PropertyType.Number, AllKinds, -200, 50),
        new(TwinProperty.Snr, "snr", PropertyType.Number, AllKinds, -50, 50),

        new(TwinProperty.On, "on", PropertyType.Bool, Lights),
        new(TwinProperty.DimLevel, "dimLevel", PropertyType.Number, Lights, 0, 100),
        new(TwinProperty.PowerW, "powerW", PropertyType.Number, Lights, 0, 100_000),
        new(TwinProperty.EnergyWh, "energyWh", PropertyType.Number, Lights, 0),
        new(TwinProperty.VoltageV, "voltageV", PropertyType.Number, Lights, 0, 1_000),
        new(TwinProperty.PowerFactor, "powerFactor", PropertyType.Number, Lights, 0, 1),
        new(TwinProperty.LampFault, "lampFault", PropertyType.Bool, Lights),

        new(TwinProperty.VolumeM3, "volumeM3", PropertyType.Number, Meters, 0),
        new(TwinProperty.FlowM3h, "flowM3h", PropertyType.Number, Meters, -100_000, 100_000),
        new(TwinProperty.Leak, "leak", PropertyType.Bool, Meters),
        new(TwinProperty.Burst, "burst", PropertyType.Bool, Meters),
        new(TwinProperty.Backflow, "backflow", PropertyType.Bool, Meters),
        new(TwinProperty.Valve, "valve", PropertyType.Text, Meters, Choices: ["open", "closed"]),

        new(TwinProperty.VehicleCount, "vehicleCount", PropertyType.Number, Roads, 0),
        new(TwinProperty.MeanSpeedKmh, "meanSpeedKmh", PropertyType.Number, Roads, 0, 400),
        new(TwinProperty.OccupancyPct, "occupancyPct", PropertyType.Number, [TwinKind.RoadSensor, TwinKind.Bus], 0, 100),
        new(TwinProperty.ParkingOccupied, "parkingOccupied", PropertyType.Bool, Roads),
        new(TwinProperty.Surface, "surface", PropertyType.Text, Roads, Choices: ["dry", "wet", "ice", "snow", "flooded"]),
        new(TwinProperty.Incident, "incident", PropertyType.Bool, Roads),
        new(TwinProperty.Hazard, "hazard", PropertyType.Bool, Roads),
        new(TwinProperty.Dark, "dark", PropertyType.Bool, Roads),

        new(TwinProperty.Lat, "lat", PropertyType.Number, Buses, -90, 90),
        new(TwinProperty.Lon, "lon", PropertyType.Number, Buses, -180, 180),
        new(TwinProperty.SpeedKmh, "speedKmh", PropertyType.Number, Buses, 0, 400),
        new(TwinProperty.HeadingDeg, "headingDeg", PropertyType.Number, Buses, 0, 360),
        new(TwinProperty.Route, "route", PropertyType.Text, Buses),
        new(TwinProperty.NextStop, "nextStop", PropertyType.Text, Buses),
        new(TwinProperty.DoorsOpen, "doorsOpen", PropertyType.Bool, Buses),
    ];

    private static readonly FrozenDictionary<string, PropertyInfo> ByName =
        All.ToFrozenDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<TwinProperty, PropertyInfo> ByProperty =
        All.ToFrozenDictionary(p => p.Property);

    public static PropertyInfo Get(TwinProperty property) => ByProperty[property];

    public static string NameOf(TwinProperty property) => ByProperty[property].Name;

    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PropertyInfo? info) =>
        ByName.TryGetValue(name, out info);

    /// <summary>Looks a property up by name and checks that the kind has it.</summary>
    public static bool TryGet(TwinKind kind, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PropertyInfo? info) =>
        ByName.TryGetValue(name, out info) && info.AppliesTo(kind);

    public static IEnumerable<PropertyInfo> For(TwinKind kind) => All.Where(p => p.AppliesTo(kind));
}
