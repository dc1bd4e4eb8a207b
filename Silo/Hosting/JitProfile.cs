using System.Globalization;
using System.Runtime;
using Microsoft.Extensions.Options;

namespace TwinCity.Silo.Hosting;

/// <summary>
/// The runtime's multi-core JIT (<see cref="ProfileOptimization"/>) for a silo that restarts: while
/// it runs, the runtime notes which methods it compiled (up to its first 16,384, so a start-up and
/// the first minutes of traffic); at its next start it compiles them again, in that order, on a
/// thread of its own, ahead of the first calls. A restarted cluster silo otherwise spends its first
/// seconds of uplinks and waking twins compiling the code that serves them, on the cores that should
/// serve them. Off unless <c>JitProfile:Directory</c> names a directory that outlives the process
/// (a volume, not a container's own file system); the README's cluster section asks for it. The
/// runtime checks each assembly's identity against the profile, so a profile left by an older build
/// only compiles what still matches.
/// </summary>
internal static class JitProfile
{
    public const string Section = "JitProfile";

    /// <summary>
    /// Starts the profile when configured: reads the previous run's, if any, and records this run's
    /// to the same file when the process ends. A directory that cannot be made or used is reported
    /// and the silo runs without; only a <c>JitProfile:Name</c> with a directory in it stops the start.
    /// </summary>
    public static JitProfileStart Start(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? directory = configuration[Section + ":Directory"];
        if (string.IsNullOrWhiteSpace(directory))
        {
            return JitProfileStart.Off;
        }

        string name = FileName(configuration[Section + ":Name"], configuration["Orleans:SiloPort"]);
        string path = Path.Combine(directory, name);
        try
        {
            Directory.CreateDirectory(directory);
            long? previous = File.Exists(path) ? new FileInfo(path).Length : null;
            ProfileOptimization.SetProfileRoot(directory);
            ProfileOptimization.StartProfile(name);
            return new JitProfileStart(path, previous, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new JitProfileStart(path, null, e.Message);
        }
    }

    /// <summary>
    /// The profile's file name: <c>JitProfile:Name</c>, or one per silo port so that silos sharing a
    /// machine and a directory keep a profile each. A name with a path in it is refused.
    /// </summary>
    internal static string FileName(string? configured, string? siloPort)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            string name = configured.Trim();
            if (name != Path.GetFileName(name) || name is "." or "..")
            {
                throw new InvalidOperationException($"JitProfile:Name must be a file name, without a directory: '{configured}'");
            }

            return name;
        }

        int port = int.TryParse(siloPort, NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : new OrleansHostOptions().SiloPort;
        return string.Create(CultureInfo.InvariantCulture, $"silo-{port}.jitprofile");
    }
}

/// <summary>What <see cref="JitProfile.Start"/> did, for the log once logging runs.</summary>
/// <param name="Path">The profile file, or null when off.</param>
/// <param name="PreviousBytes">The size of the previous run's profile being compiled ahead, or null when there was none.</param>
/// <param name="Problem">Why the profile could not be started, or null.</param>
internal sealed record JitProfileStart(string? Path, long? PreviousBytes, string? Problem)
{
    public static JitProfileStart Off { get; } = new(null, null, null);
}

/// <summary>Logs at start-up what the JIT profile does in this run.</summary>
internal sealed partial class JitProfileReport(JitProfileStart start, IOptions<TwinCityHostOptions> host, ILogger<JitProfileReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (start.Path is null && host.Value.Mode == HostMode.Cluster)
        {
            LogAdvice();
        }
        else if (start.Problem is not null)
        {
            LogProblem(start.Path, start.Problem);
        }
        else if (start.Path is not null && start.PreviousBytes is long bytes)
        {
            LogPlaying(start.Path, bytes / 1024);
        }
        else if (start.Path is not null)
        {
            LogRecording(start.Path);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "JIT profile {Path}: compiling the previous run's methods ({KiB} KiB of profile) ahead of their first calls, and recording this run's for the next start")]
    private partial void LogPlaying(string path, long kiB);

    [LoggerMessage(Level = LogLevel.Information, Message = "JIT profile {Path}: none yet; recording this run's methods for the next start")]
    private partial void LogRecording(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "This cluster silo keeps no JIT profile; with JitProfile:Directory set to a directory that outlives the process, a restarted silo compiles the code that serves uplinks and wakes twins before they arrive (README, \"Run cluster silos with\")")]
    private partial void LogAdvice();

    [LoggerMessage(Level = LogLevel.Warning, Message = "JIT profile {Path} could not be started ({Problem}); this silo runs without it")]
    private partial void LogProblem(string? path, string problem);
}
