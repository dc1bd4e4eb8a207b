namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>
/// One decoded uplink as ingest hands it to the twin that owns the device.
/// </summary>
/// <param name="DevEui">The DevEUI the frame came from; the twin refuses a device it is not bound to.</param>
/// <param name="FCnt">The LoRaWAN uplink frame counter.</param>
/// <param name="MeasuredAt">When the network server received the frame (UTC).</param>
/// <param name="Values">The decoded values.</param>
/// <param name="Radio">Radio metadata of the best gateway, when known.</param>
/// <param name="Source">The network server, so that downlinks go back the same way.</param>
/// <param name="ApplicationId">The network server's application (ChirpStack application id, TTS "app@tenant").</param>
/// <param name="DeviceId">The network server's device id (TTS <c>device_id</c>; ChirpStack uses the DevEUI).</param>
/// <param name="Revision">
/// The revision of the registration ingest routed and decoded this uplink by; a twin provisioned by
/// a newer one refuses it as not bound. 0 skips the check.
/// </param>
/// <param name="Via">
/// The silo whose ingest applied this uplink (the owner of the device): a twin hosted elsewhere
/// counts the call as one between silos and moves to that silo when idle. Null from a replay.
/// </param>
[GenerateSerializer, Immutable, Alias("twincity.uplink")]
public sealed record Uplink(
    [property: Id(0)] ulong DevEui,
    [property: Id(1)] uint FCnt,
    [property: Id(2)] DateTime MeasuredAt,
    [property: Id(3)] Reading[] Values,
    [property: Id(4)] RadioInfo? Radio = null,
    [property: Id(5)] NetworkServer Source = NetworkServer.Unknown,
    [property: Id(6)] string? ApplicationId = null,
    [property: Id(7)] string? DeviceId = null,
    [property: Id(8)] long Revision = 0,
    [property: Id(9)] Orleans.Runtime.SiloAddress? Via = null);
