using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using TwinCity.Gateway.Ingest.Intake;

namespace TwinCity.Gateway.Ingest.Affinity;

/// <summary>
/// Ingest's grain service on this silo: other silos pass it the messages of the devices this silo
/// owns. Reentrant, so that batches from several silos are in the lanes together.
/// </summary>
[Reentrant]
public sealed class IngestForwardService(GrainId id, Silo silo, ILoggerFactory loggerFactory, IngestIntake intake)
    : GrainService(id, silo, loggerFactory), IIngestForwardService
{
    public Task<byte[]> ApplyAsync(ForwardBatch batch) => intake.ApplyForwardedAsync(batch);

    public Task PingAsync() => Task.CompletedTask;
}
