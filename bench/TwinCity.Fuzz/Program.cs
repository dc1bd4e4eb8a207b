using System.Globalization;
using System.Text.Json;
using TwinCity.Fuzz.Running;
using TwinCity.Fuzz.Targets;

// dotnet run -c Release --project bench/TwinCity.Fuzz -- [--iterations N] [--seed S] [--target NAME] [--out FILE]
// dotnet run -c Release --project bench/TwinCity.Fuzz -- replay --target NAME --seed S --iteration I
long iterations = 1_000_000;
int seed = 20261128;
string? only = null;
string? outFile = null;
long? replay = null;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--iterations": iterations = long.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--target": only = Value(); break;
        case "--out": outFile = Value(); break;
        case "--iteration": replay = long.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "replay": break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'; see the first lines of bench/TwinCity.Fuzz/Program.cs");
            return 2;
    }
}

IReadOnlyList<IFuzzTarget> targets = [.. FuzzTargets.All().Where(t => only is null || t.Name == only)];
if (targets.Count == 0)
{
    Console.Error.WriteLine($"no target '{only}'; targets: {string.Join(", ", FuzzTargets.All().Select(t => t.Name))}");
    return 2;
}

if (replay is long at)
{
    byte[] input = FuzzRunner.Replay(targets[0], seed, at);
    Console.WriteLine(Convert.ToHexString(input));
    Console.WriteLine(System.Text.Encoding.UTF8.GetString(input));
    FuzzVerdict verdict = targets[0].Check(input);
    Console.WriteLine(verdict.Accepted ? "accepted" : $"refused: {verdict.Reason}");
    return 0;
}

Console.WriteLine($"fuzzing {targets.Count} parsers, {iterations:N0} inputs each, seed {seed}, {Environment.ProcessorCount} cores");
var results = new List<FuzzResult>();
foreach (IFuzzTarget target in targets)
{
    FuzzResult result = FuzzRunner.Run(target, seed, iterations, done => Console.Error.Write($"\r{target.Name}: {done:N0} / {iterations:N0}   "));
    Console.Error.Write("\r" + new string(' ', 60) + "\r");
    results.Add(result);
    foreach (FuzzCrash crash in result.Crashes)
    {
        Console.WriteLine($"CRASH {crash.Target} seed {crash.Seed} iteration {crash.Iteration}: {crash.Problem}\n  input {crash.InputHex}");
    }
}

Console.WriteLine();
Console.WriteLine("| parser | inputs | accepted | refused | distinct reasons | crashes | inputs/s | managed heap after warm-up → end |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|");
foreach (FuzzResult r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.Target} | {r.Inputs:N0} | {r.Accepted:N0} | {r.Rejected:N0} | {r.DistinctReasons:N0} | {r.CrashCount:N0} | {r.InputsPerSecond:N0} | {r.ManagedBytesAfterWarmUp / 1024.0 / 1024:N1} → {r.ManagedBytesAtEnd / 1024.0 / 1024:N1} MB |"));
}

if (outFile is not null)
{
    await File.WriteAllTextAsync(outFile, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
}

return results.Any(r => r.CrashCount > 0) ? 1 : 0;
