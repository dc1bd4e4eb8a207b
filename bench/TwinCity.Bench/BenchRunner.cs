using System.Text;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Reporting;
using TwinCity.Bench.Scenarios;

namespace TwinCity.Bench;

/// <summary>Runs one scenario, prints its Markdown table and writes its JSON file.</summary>
public static class BenchRunner
{
    public static IReadOnlyList<IBenchScenario> Scenarios { get; } =
    [
        new IngestScenario(),
        new BaselineScenario(),
        new LatencyScenario(),
        new MemoryScenario(),
        new CommandsScenario(),
        new ClusterScenario(),
        new ReactivationScenario(),
        new SoakScenario(),
        new FailoverScenario(),
    ];

    public static string UsageText
    {
        get
        {
            var text = new StringBuilder("usage: dotnet run -c Release --project bench/TwinCity.Bench -- <scenario> [options]\n\nscenarios:\n");
            foreach (IBenchScenario s in Scenarios)
            {
                text.Append("  ").Append(s.Usage).Append('\n');
            }

            text.Append("\nevery scenario: [--results DIR] (default bench/results of the checkout)\n");
            return text.ToString();
        }
    }

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        IBenchScenario scenario = Scenarios.FirstOrDefault(s => s.Name == args.Scenario)
            ?? throw new BenchUsageException($"there is no scenario '{args.Scenario}'");
        // The usage line names every option a scenario takes: anything else is a typo, refused before a long run.
        HashSet<string> known = [.. System.Text.RegularExpressions.Regex.Matches(scenario.Usage, "--([a-z-]+)").Select(m => m.Groups[1].Value), "results"];
        string[] unknown = [.. args.Given.Where(g => !known.Contains(g))];
        if (unknown.Length > 0)
        {
            throw new BenchUsageException($"{scenario.Name} does not take --{string.Join(", --", unknown)}");
        }

        string results = args.Text("results") ?? DefaultResults();
        var report = new BenchReport(scenario.Name, ["dotnet run -c Release --project bench/TwinCity.Bench --", .. args.Raw]);
        Progress.Say($"{scenario.Name} on {report.Machine}");
        try
        {
            await scenario.RunAsync(args, report, cancellationToken);
        }
        catch (BenchUsageException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            report.Error = $"{ex.GetType().Name}: {ex.Message}";
        }

        string markdown = report.ToMarkdown();
        Console.WriteLine();
        Console.WriteLine(markdown);
        string path = report.Save(results);
        Console.WriteLine($"results: {path}");
        return report.Failed ? 1 : 0;
    }

    /// <summary>bench/results of the checkout the command runs in.</summary>
    private static string DefaultResults() =>
        CheckoutRoot() is string root ? Path.Combine(root, "bench", "results") : Path.Combine(Directory.GetCurrentDirectory(), "bench-results");

    /// <summary>The checkout the command runs in (found by walking up to TwinCity.sln), or null outside one.</summary>
    public static string? CheckoutRoot()
    {
        for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TwinCity.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
