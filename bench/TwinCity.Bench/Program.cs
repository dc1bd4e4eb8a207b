using TwinCity.Bench;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Publishing;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

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
