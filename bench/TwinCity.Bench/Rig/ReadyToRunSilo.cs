using System.Diagnostics;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Reporting;

namespace TwinCity.Bench.Rig;

/// <summary>
/// <c>--ready-to-run</c>: the silo published with its code compiled ahead of time (ReadyToRun, as an
/// operator would publish it for production), so that silos started for a run do not spend its first
/// minutes compiling. Each silo of a cluster compiles its own code and sees only its share of the
/// calls, so without this a silo capped to a fraction of a core is still compiling long after a
/// warm-up that brought one uncapped silo to its steady state.
/// </summary>
public static class ReadyToRunSilo
{
    /// <summary>When the option is given: publishes the checkout's silo and makes <see cref="BenchSilo"/> start that one.</summary>
    public static async Task UseIfAskedAsync(BenchArgs args, BenchReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(report);
        if (!args.Flag("ready-to-run"))
        {
            report.Details["readyToRun"] = false;
            return;
        }

        string root = BenchRunner.CheckoutRoot() ?? throw new BenchUsageException("--ready-to-run publishes the silo from the checkout: run the bench inside it");
        string output = Path.Combine(root, "bench", "results", "silo-ready-to-run");
        Progress.Say($"publishing the silo with ReadyToRun to {output}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        foreach (string arg in new[]
        {
            "publish", Path.Combine(root, "Silo", "Silo.csproj"), "-c", "Release", "-r", "linux-x64", "--self-contained", "false",
            "-p:PublishReadyToRun=true", "-o", output,
        })
        {
            start.ArgumentList.Add(arg);
        }

        using Process publish = Process.Start(start) ?? throw new InvalidOperationException("dotnet publish did not start");
        Task<string> stdout = publish.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = publish.StandardError.ReadToEndAsync(cancellationToken);
        await publish.WaitForExitAsync(cancellationToken);
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish of the silo with ReadyToRun failed ({publish.ExitCode}):\n{await stdout}\n{await stderr}");
        }

        BenchSilo.Dll = Path.Combine(output, "TwinCity.Silo.dll");
        report.Details["readyToRun"] = true;
        report.Note("The silos ran the silo published with ReadyToRun (`dotnet publish Silo -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true`): their code compiled ahead of time; the runtime still recompiles hot methods in tiers as it sees them used.");
    }
}
