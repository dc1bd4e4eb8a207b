namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>Configuration section "Downlinks".</summary>
public sealed class DownlinkOptions
{
    public const string Section = "Downlinks";

    /// <summary>The port for downlinks sent as the network server's decoded object (no device encoder).</summary>
    public int DefaultFPort { get; set; } = 10;

    /// <summary>Ask devices to acknowledge downlinks (confirmed downlinks), so that "acked" means the device has it.</summary>
    public bool Confirmed { get; set; } = true;

    /// <summary>
    /// The ChirpStack application to address a device that has not sent an uplink yet (its network
    /// server and application are otherwise learned from its uplinks). Unset: such commands wait for
    /// the device's first uplink, and expire if it does not come within their TTL.
    /// </summary>
    public string? DefaultChirpStackApplicationId { get; set; }
}
