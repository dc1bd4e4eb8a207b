namespace TwinCity.Cluster.Tests.Grains;

public sealed class IntegerKeyProbeGrain(
    [PersistentState("probe", AdoNetClusterFixture.StorageName)] IPersistentState<ProbeState> state)
    : ProbeGrainBase(state), IIntegerKeyProbeGrain;
