namespace TwinCity.Bench.Rig;

/// <summary>
/// What a silo's <c>/metrics</c> says of its collector: heap as of the last collection, bytes live
/// after the latest full collection, and since it started, seconds paused and generation-2
/// collections. Each is null when the silo does not export it.
/// </summary>
public sealed record SiloGc(long? HeapBytes, long? LiveHeapBytes, double? PauseSeconds, long? Gen2Collections);
