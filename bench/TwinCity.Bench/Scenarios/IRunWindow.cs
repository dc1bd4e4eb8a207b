namespace TwinCity.Bench.Scenarios;

/// <summary>
/// Something a timed run reads when it starts publishing (<see cref="OpenAsync"/>, just before its own
/// CPU reading) and again once its count is complete or has stalled (<see cref="CloseAsync"/>), so that
/// what changed in between belongs to the timed window: a cluster's message counts, CPU part by part.
/// </summary>
public interface IRunWindow
{
    Task OpenAsync(CancellationToken cancellationToken);

    Task CloseAsync(CancellationToken cancellationToken);
}
