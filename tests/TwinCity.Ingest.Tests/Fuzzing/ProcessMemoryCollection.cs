namespace TwinCity.Ingest.Tests.Fuzzing;

/// <summary>
/// Tests that judge the process's managed heap run alone: a test beside them that holds a large set
/// or sockets' buffers would count as their growth.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    public const string Name = "Measures the process's heap";
}
