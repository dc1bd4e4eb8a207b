namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>
/// Every reported property a twin can hold (API.md, "The twin document"). A small number on the
/// wire and in state instead of a string keeps the uplink call and the twin compact. The values
/// are persisted: append new ones, never renumber.
/// </summary>
public enum TwinProperty : byte
{
    BatteryPct = 0,
    Rssi = 1,
    Snr = 2,

    On = 10,
    DimLevel = 11,
    PowerW = 12,
    EnergyWh = 13,
    VoltageV = 14,
    PowerFactor = 15,
    LampFault = 16,

    VolumeM3 = 20,
    FlowM3h = 21,
    Leak = 22,
    Burst = 23,
    Backflow = 24,
    Valve = 25,

    VehicleCount = 30,
    MeanSpeedKmh = 31,
    OccupancyPct = 32,
    ParkingOccupied = 33,
    Surface = 34,
    Incident = 35,
    Hazard = 36,
    Dark = 37,

    Lat = 40,
    Lon = 41,
    SpeedKmh = 42,
    HeadingDeg = 43,
    Route = 44,
    NextStop = 45,
    DoorsOpen = 46,
}
