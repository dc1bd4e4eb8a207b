using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace TwinCity.Bench.Tests;

/// <summary>One run of the harness as a user runs it (<c>dotnet TwinCity.Bench.dll scenario options</c>), and what it left behind.</summary>
internal sealed record BenchRun(int ExitCode, string Output, string Errors, JsonDocument? Result)
{
    public static Task<BenchRun> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <summary>A run with <paramref name="environment"/> added to the harness's own (and so, for <c>TWINCITY_BENCH_SILO_*</c>, to its silos').</summary>
    public static async Task<BenchRun> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        string results = Directory.CreateTempSubdirectory("twincity-bench-results-").FullName;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TwinCity.Bench.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add("--results");
        start.ArgumentList.Add(results);
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var errors = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the harness did not finish within 4 minutes:\n{output}\n{errors}");
        }

        process.WaitForExit();
        string? file = Directory.GetFiles(results, "*.json").SingleOrDefault();
        JsonDocument? result = file is null ? null : JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Directory.Delete(results, recursive: true);
        return new BenchRun(process.ExitCode, output.ToString(), errors.ToString(), result);
    }

    public string Explain => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Errors}";

    /// <summary>The value of the figure with <paramref name="key"/>; fails the test when the table lacks it.</summary>
    public double Figure(string key)
    {
        Assert.True(Result is not null, "no JSON result was written\n" + Explain);
        foreach (JsonElement f in Result!.RootElement.GetProperty("figures").EnumerateArray())
        {
            if (f.GetProperty("key").GetString() == key)
            {
                JsonElement value = f.GetProperty("value");
                return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.NaN;
            }
        }

        Assert.Fail($"the result has no figure '{key}'\n{Explain}");
        return double.NaN;
    }

    public bool HasFigure(string key) =>
        Result is not null && Result.RootElement.GetProperty("figures").EnumerateArray().Any(f => f.GetProperty("key").GetString() == key);

    public string Status(string key) =>
        Result!.RootElement.GetProperty("figures").EnumerateArray().First(f => f.GetProperty("key").GetString() == key).GetProperty("status").GetString()!;

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
