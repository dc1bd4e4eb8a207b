namespace TwinCity.Grains.Interfaces.Commands;

/// <summary>
/// Publishes downlinks to the network server (implemented by ingest over MQTT). Returns null when
/// published, otherwise why not; the twin retries with back-off until the command's TTL.
/// </summary>
public interface IDownlinkPublisher
{
    Task<string?> PublishAsync(DownlinkRequest request, CancellationToken cancellationToken);
}
