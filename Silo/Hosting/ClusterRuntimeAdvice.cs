namespace TwinCity.Silo.Hosting;

/// <summary>
/// Says at start-up which of the runtime settings the README asks of cluster silos this process runs
/// without: <c>DOTNET_TieredPGO=0</c> and <c>DOTNET_TC_QuickJit=0</c>. The runtime reads them before
/// any of the silo's code runs, so the silo cannot set them itself, and the embedded city is better
/// off without them; an operator who missed them learns it from the log.
/// </summary>
internal sealed partial class ClusterRuntimeAdvice(ILogger<ClusterRuntimeAdvice> logger) : IHostedService
{
    /// <summary>Each setting: its environment variable (after DOTNET_ or COMPlus_) and its runtimeconfig.json name.</summary>
    private static readonly (string Variable, string Property)[] Settings =
    [
        ("TieredPGO", "System.Runtime.TieredPGO"),
        ("TC_QuickJit", "System.Runtime.TieredCompilation.QuickJit"),
    ];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        string[] missing = Missing(Environment.GetEnvironmentVariable, AppContext.GetData);
        if (missing.Length > 0)
        {
            LogAdvice(string.Join(" ", missing));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The settings, as <c>DOTNET_NAME=0</c>, that neither the environment nor the runtime configuration turns off.</summary>
    internal static string[] Missing(Func<string, string?> environment, Func<string, object?> runtimeConfig) =>
        [.. Settings
            .Where(s => !IsOff(environment("DOTNET_" + s.Variable) ?? environment("COMPlus_" + s.Variable)) && !IsOff(runtimeConfig(s.Property)?.ToString()))
            .Select(s => $"DOTNET_{s.Variable}=0")];

    private static bool IsOff(string? value) =>
        value is not null && (value.Trim() == "0" || value.Trim().Equals("false", StringComparison.OrdinalIgnoreCase));

    [LoggerMessage(Level = LogLevel.Information, Message = "This cluster silo runs without {Settings} in its environment; with them it wakes a restarted city's twins with about a third less CPU (README, \"Run cluster silos with\")")]
    private partial void LogAdvice(string settings);
}
