using TwinCity.Bench.Cli;
using TwinCity.Bench.Reporting;

namespace TwinCity.Bench.Scenarios;

/// <summary>One scenario of the harness: reads its options, drives the real stack, and puts its figures in the report.</summary>
public interface IBenchScenario
{
    string Name { get; }

    /// <summary>One line for the usage text: what it measures and its main options.</summary>
    string Usage { get; }

    Task RunAsync(BenchArgs args, BenchReport report, CancellationToken cancellationToken);
}
