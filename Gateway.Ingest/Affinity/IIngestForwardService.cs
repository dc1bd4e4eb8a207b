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
    /// done, one byte per message (<see cref="ForwardOutcome"/>): 1 when it is final and durable (the
    /// receiving silo acknowledges it), 0 when it was given back (the receiving silo sends it again,
    /// perhaps elsewhere), 2 when its twin waits on a silo that has gone silent (the receiving silo
    /// sends it again too, and meanwhile lets it wait outside its MQTT window). A sender that knows
    /// only 0 and 1 takes 2 for 0, which is right too.
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

/// <summary>The answer <see cref="IIngestForwardService.ApplyAsync"/> gives for each message of a batch.</summary>
public static class ForwardOutcome
{
    /// <summary>Given back: send it again, perhaps elsewhere.</summary>
    public const byte GivenBack = 0;

    /// <summary>Final and durable: acknowledge it.</summary>
    public const byte Applied = 1;

    /// <summary>
    /// Its twin waits on a silo that has gone silent (hung, not yet declared dead): send it again, and
    /// meanwhile let it wait outside the MQTT window.
    /// </summary>
    public const byte WaitsOnSilentSilo = 2;
}
