namespace TwinCity.Cluster.Tests.Grains;

public sealed class StringKeyProbeGrain(
    [PersistentState("probe", AdoNetClusterFixture.StorageName)] IPersistentState<ProbeState> state)
    : ProbeGrainBase(state), IStringKeyProbeGrain;
