using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>One message as it reached ingest, from MQTT or the HTTP integration.</summary>
/// <param name="Event">The event when the transport names it (ChirpStack topic or <c>?event=</c>); The Things Stack's is read from the JSON.</param>
/// <param name="Channel">"mqtt" or "http".</param>
/// <param name="Applications">
/// The applications the sender may speak for (the network key's, the MQTT connection's); null when
/// the sender is not limited. An event for another application is dead-lettered.
/// </param>
public readonly record struct IngestMessage(
    ReadOnlyMemory<byte> Payload,
    NetworkServer Server,
    NetworkEvent Event,
    string Channel,
    string? Topic = null,
    string? ApplicationId = null,
    IReadOnlyList<string>? Applications = null);
