namespace TwinCity.Cluster.Tests.Grains;

public sealed class DeletingProbeGrain(
    [PersistentState("probe", AdoNetClusterFixture.DeletingStorageName)] IPersistentState<ProbeState> state)
    : ProbeGrainBase(state), IDeletingProbeGrain;
