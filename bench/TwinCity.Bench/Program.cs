using System.Runtime.InteropServices;
using TwinCity.Bench;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Publishing;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

// SIGTERM (and SIGINT where a background job ignores Ctrl+C) stop the run the same way, so that the
// silos, brokers and databases it started are shut down rather than left behind.
using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});

try
{
    BenchArgs parsed = BenchArgs.Parse(args);
    return parsed.Scenario == PublishCommand.Name
        ? await PublishCommand.RunAsync(parsed, cancel.Token)
        : await BenchRunner.RunAsync(parsed, cancel.Token);
}
catch (BenchUsageException ex)
{
    await Console.Error.WriteLineAsync($"{ex.Message}\n\n{BenchRunner.UsageText}");
    return 2;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("stopped before the end: no result");
    return 130;
}
