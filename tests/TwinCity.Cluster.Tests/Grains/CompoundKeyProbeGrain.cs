namespace TwinCity.Cluster.Tests.Grains;

public sealed class CompoundKeyProbeGrain(
    [PersistentState("probe", AdoNetClusterFixture.StorageName)] IPersistentState<ProbeState> state)
    : ProbeGrainBase(state), ICompoundKeyProbeGrain;
