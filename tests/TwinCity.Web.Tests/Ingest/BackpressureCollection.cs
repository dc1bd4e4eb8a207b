namespace TwinCity.Web.Tests.Ingest;

/// <summary>
/// Tests that measure the process's managed heap: they run alone, after the parallel ones, so that
/// another test's city does not move the figure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BackpressureCollection
{
    public const string Name = "backpressure";
}
