namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>The LoRaWAN network server an uplink came through; downlinks go back the same way.</summary>
public enum NetworkServer : byte
{
    Unknown = 0,
    ChirpStack = 1,
    TheThingsStack = 2,
}
