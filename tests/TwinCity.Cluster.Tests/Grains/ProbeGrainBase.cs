namespace TwinCity.Cluster.Tests.Grains;

public abstract class ProbeGrainBase(IPersistentState<ProbeState> state) : Grain
{
    // A new id per activation shows a read came from storage rather than from memory.
    private readonly Guid _activationId = Guid.NewGuid();

    public async Task<ProbeSnapshot> Add(int amount, string note)
    {
        state.State.Total += amount;
        state.State.Notes.Add(note);
        await state.WriteStateAsync();
        return Snapshot();
    }

    public Task<ProbeSnapshot> Read() => Task.FromResult(Snapshot());

    public Task Clear() => state.ClearStateAsync();

    private ProbeSnapshot Snapshot() => new()
    {
        ActivationId = _activationId,
        Total = state.State.Total,
        Notes = [.. state.State.Notes],
        RecordExists = state.RecordExists,
        ETag = state.Etag,
    };
}
