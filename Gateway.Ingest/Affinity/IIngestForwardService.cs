using Orleans.Services;

namespace TwinCity.Gateway.Ingest.Affinity;

/// <summary>
/// Ingest's grain service, one on every cluster silo: it takes the messages other silos received for
/// devices this silo owns and applies them here, where their twins live.
/// </summary>
[Alias("twincity.IIngestForwardService")]
public interface IIngestForwardService : IGrainService
{
    /// <summary>
    /// Applies a batch of raw network-server messages in this silo's lanes and answers, once each is
    /// done, one byte per message: 1 when it is final and durable (the receiving silo acknowledges
    /// it), 0 when it was given back (the receiving silo sends it again, perhaps elsewhere).
    /// </summary>
    [Alias("Apply")]
    [ResponseTimeout("00:00:10")]
    Task<byte[]> ApplyAsync(ForwardBatch batch);

    /// <summary>
    /// Answers at once: a silo that is busy applying a batch still answers this, a hung one does not.
    /// A sender asks when a batch takes long, to tell the two apart.
    /// </summary>
    [Alias("Ping")]
    [ResponseTimeout("00:00:05")]
    Task PingAsync();
}
