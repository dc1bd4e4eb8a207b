using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace TwinCity.Testing;

/// <summary>
/// A .NET app (normally the TwinCity silo) run as a child process, <c>dotnet app.dll args</c>, from
/// the app's own folder, with extra environment. Its output goes to a log file (see
/// <see cref="LogPath"/>) so that a failing test can show what the process said. It can be stopped
/// gracefully (<see cref="StopAsync"/>, SIGTERM) or killed (<see cref="KillAsync"/>, SIGKILL);
/// disposing kills it if it still runs.
/// </summary>
public sealed class CityProcess : IAsyncDisposable
{
    private const int TailLines = 200;
    private const int SigTerm = 15;
    private const int SigStop = 19;
    private const int SigCont = 18;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _tail = new();
    private readonly Lock _lock = new();
    private bool _logClosed;

    private CityProcess(Process process, StreamWriter log, string logPath, Uri baseUrl)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
        BaseUrl = baseUrl;
    }

    /// <summary>The silo's assembly in the running test's output folder (test projects reference Silo).</summary>
    public static string SiloDll => Path.Combine(AppContext.BaseDirectory, "TwinCity.Silo.dll");

    /// <summary>Where the app listens: the first of its <c>--urls</c>, with a wildcard host read as 127.0.0.1.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The file holding the process's standard output and error.</summary>
    public string LogPath { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>
    /// Starts <c>dotnet <paramref name="appDll"/> <paramref name="args"/></c> in the assembly's folder.
    /// <paramref name="args"/> must say where it listens (<c>--urls http://127.0.0.1:PORT</c>, or
    /// <c>ASPNETCORE_URLS</c> / <c>Urls</c> in <paramref name="env"/>). Returns once the process has
    /// started; wait for it to answer with <see cref="WaitForAsync"/>.
    /// </summary>
    /// <param name="cgroupProcs">
    /// A cgroup's <c>cgroup.procs</c> file: the process joins it before the runtime starts
    /// (<see cref="CgroupStart"/>), so the cgroup's limits hold from its first instruction and the
    /// runtime sizes itself to them. One that cannot join exits with
    /// <see cref="CgroupStart.JoinFailedExitCode"/>.
    /// </param>
    public static Task<CityProcess> StartAsync(string appDll, IDictionary<string, string> env, string[] args, string? name = null, string? cgroupProcs = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(args);
        string dll = Path.GetFullPath(appDll);
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"There is no {dll} to run; does the test project reference the app's project?", dll);
        }

        Uri baseUrl = FindBaseUrl(env, args)
            ?? throw new ArgumentException("Pass --urls http://127.0.0.1:PORT (or Urls in the environment) so that the test knows where the app listens.", nameof(args));

        string logDir = Path.Combine(AppContext.BaseDirectory, "TestResults", "processes");
        Directory.CreateDirectory(logDir);
        string logPath = Path.Combine(
            logDir,
            $"{name ?? Path.GetFileNameWithoutExtension(dll)}-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{baseUrl.Port}.log");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };

        ProcessStartInfo start = CgroupStart.For(DotnetHost(), cgroupProcs);
        start.WorkingDirectory = Path.GetDirectoryName(dll)!;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = false;
        start.UseShellExecute = false;
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string key, string value) in env)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var city = new CityProcess(process, log, logPath, baseUrl);
        process.OutputDataReceived += (_, e) => city.Append(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => city.Append(e.Data, error: true);
        process.Exited += (_, _) => city.Append($"[process exited with code {process.ExitCode}]", error: false);

        city.Append($"[dotnet {string.Join(' ', start.ArgumentList)} in {start.WorkingDirectory}; env {string.Join(' ', env.Keys)}]", error: false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return Task.FromResult(city);
    }

    /// <summary>
    /// Polls <paramref name="path"/> until it answers 200 OK. Fails at once, with the end of the log,
    /// if the process exits, and after <paramref name="timeout"/> if it never answers so.
    /// </summary>
    public async Task WaitForAsync(string path, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        string last = "no answer yet";
        while (clock.Elapsed < timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"The process exited with code {_process.ExitCode} before {path} answered 200 (log: {LogPath}):\n{LogTail()}");
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = "timed out";
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new TimeoutException($"{BaseUrl}{path.TrimStart('/')} did not answer 200 within {timeout} (last: {last}; log: {LogPath}):\n{LogTail()}");
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the process to exit by itself, and then for the
    /// last of what it wrote to reach <see cref="LogTail"/>: its output is read on other threads, so
    /// a process that has just exited may not have had its last lines read yet. False when it still
    /// runs at the deadline (it is left running).
    /// </summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        // Once exited, the wait without a timeout returns when both output streams are read to their end.
        _process.WaitForExit();
        return true;
    }

    /// <summary>Kills the process and its children (SIGKILL): a crash, no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            Append("[killing the process]", error: false);
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>
    /// Asks the process to stop (SIGTERM; the host shuts down gracefully) and waits up to
    /// <paramref name="timeout"/> (30 s by default), then kills it. True when it stopped by itself.
    /// On Windows, which has no SIGTERM, it kills at once.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return true;
        }

        if (OperatingSystem.IsWindows() || SysKill(_process.Id, SigTerm) != 0)
        {
            await KillAsync();
            return false;
        }

        Append("[sent SIGTERM]", error: false);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            Append("[did not stop in time]", error: false);
            await KillAsync();
            return false;
        }
    }

    /// <summary>Freezes the process (SIGSTOP), as a hung machine would: its sockets stay open, it answers nothing.</summary>
    public void Freeze()
    {
        Append("[sent SIGSTOP]", error: false);
        if (SysKill(_process.Id, SigStop) != 0)
        {
            throw new InvalidOperationException("SIGSTOP could not be sent");
        }
    }

    /// <summary>Lets a frozen process run again (SIGCONT).</summary>
    public void Thaw()
    {
        Append("[sent SIGCONT]", error: false);
        if (SysKill(_process.Id, SigCont) != 0)
        {
            throw new InvalidOperationException("SIGCONT could not be sent");
        }
    }

    /// <summary>The last lines the process wrote (up to 200).</summary>
    public string LogTail(int lines = 80)
    {
        lock (_lock)
        {
            return string.Join('\n', _tail.Skip(Math.Max(0, _tail.Count - lines)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            lock (_lock)
            {
                _logClosed = true;
                _log.Dispose();
            }

            _process.Dispose();
        }
    }

    private void Append(string? line, bool error)
    {
        if (line is null)
        {
            return;
        }

        string stamped = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {(error ? "ERR " : string.Empty)}{line}");
        lock (_lock)
        {
            _tail.Enqueue(stamped);
            while (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }

            if (!_logClosed)
            {
                _log.WriteLine(stamped);
            }
        }
    }

    private static Uri? FindBaseUrl(IDictionary<string, string> env, string[] args)
    {
        string? urls = null;
        for (int i = 0; i < args.Length && urls is null; i++)
        {
            if (args[i] is "--urls" or "--Urls" && i + 1 < args.Length)
            {
                urls = args[i + 1];
            }
            else if (args[i].StartsWith("--urls=", StringComparison.OrdinalIgnoreCase))
            {
                urls = args[i]["--urls=".Length..];
            }
        }

        foreach (string key in new[] { "ASPNETCORE_URLS", "URLS", "Urls" })
        {
            if (urls is null && env.TryGetValue(key, out string? value))
            {
                urls = value;
            }
        }

        if (string.IsNullOrWhiteSpace(urls))
        {
            return null;
        }

        string first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        first = first.Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal);
        return new Uri(first.EndsWith('/') ? first : first + "/");
    }

    /// <summary>The dotnet host running these tests (DOTNET_HOST_PATH under dotnet test), else dotnet on the PATH.</summary>
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SysKill(int pid, int signal);
}
