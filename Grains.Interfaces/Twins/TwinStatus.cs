namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>Connectivity of a twin's device.</summary>
public enum TwinStatus : byte
{
    /// <summary>Provisioned, never heard from.</summary>
    Unknown = 0,
    Online = 1,
    Offline = 2,
}
