using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace TwinCity.Testing;

/// <summary>
/// A throwaway PostgreSQL server in a temporary directory, listening on 127.0.0.1 with trust
/// authentication and durability switched off. Built from the Debian server binaries under
/// /usr/lib/postgresql/*/bin (newest version wins).
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private const string BinariesRoot = "/usr/lib/postgresql";
    private const string ServiceUser = "postgres";

    /// <summary>
    /// Server options added to the fixture's own for a diagnosis, for instance
    /// <c>-c shared_preload_libraries=pg_stat_statements</c> to see which statements a benchmark's
    /// PostgreSQL time goes to.
    /// </summary>
    public const string ExtraOptionsVariable = "TWINCITY_POSTGRES_OPTIONS";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _binDirectory;
    private readonly string _rootDirectory;
    private readonly string _dataDirectory;
    private readonly string _socketDirectory;
    private readonly string _logFile;
    private readonly bool _dropPrivileges;
    private TestCertificates? _tls;
    private bool _disposed;

    private PostgresServer(string binDirectory, string rootDirectory, int port, bool dropPrivileges)
    {
        _binDirectory = binDirectory;
        _rootDirectory = rootDirectory;
        _dataDirectory = Path.Combine(rootDirectory, "data");
        _socketDirectory = Path.Combine(rootDirectory, "run");
        _logFile = Path.Combine(rootDirectory, "postgres.log");
        _dropPrivileges = dropPrivileges;
        Port = port;
        ConnectionString = ConnectionStringFor("postgres");
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Connection string for the server's "postgres" database as superuser.</summary>
    public string ConnectionString { get; }

    /// <summary>Initializes a fresh cluster and starts it.</summary>
    /// <exception cref="InvalidOperationException">The PostgreSQL server binaries are not installed.</exception>
    public static Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default) => StartAsync(null, cancellationToken);

    /// <summary>
    /// Initializes a fresh cluster and starts it; with <paramref name="tls"/>, it also takes TLS
    /// connections (<c>ssl=on</c>) with a certificate that authority issued for 127.0.0.1, so that a
    /// client can connect with <c>SSL Mode=VerifyFull</c>. Plain connections are still accepted.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(TestCertificates? tls, CancellationToken cancellationToken = default)
    {
        string bin = FindBinaries();
        bool dropPrivileges = OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess;
        // The service account must be able to reach the directory, which a private TMPDIR may not allow.
        string tempRoot = dropPrivileges ? "/tmp" : Path.GetTempPath();
        string root = Path.Combine(tempRoot, "twincity-pg-" + Guid.NewGuid().ToString("N")[..12]);

        // A port picked free can be taken before the postmaster binds it; a second pick settles that.
        const int attempts = 3;
        for (int attempt = 1; ; attempt++)
        {
            var server = new PostgresServer(bin, root, FreePort.Next(), dropPrivileges) { _tls = tls };
            try
            {
                await server.InitializeAsync(cancellationToken);
                return server;
            }
            catch (InvalidOperationException) when (attempt < attempts && server.LogMentionsPortInUse())
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Creates an empty database and returns a connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain database name (lower-case letters, digits, underscore).", nameof(name));
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionStringFor(name);
    }

    /// <summary>Creates an empty database with a unique name derived from <paramref name="prefix"/>.</summary>
    public Task<string> CreateUniqueDatabaseAsync(string prefix, CancellationToken cancellationToken = default) =>
        CreateDatabaseAsync(prefix.ToLowerInvariant() + "_" + Guid.NewGuid().ToString("N")[..10], cancellationToken);

    /// <summary>
    /// Stops the server as an operator's restart does (<c>pg_ctl stop -m fast</c>: open sessions are
    /// ended, their transactions rolled back); the data stays for <see cref="StartAgainAsync"/>.
    /// Clients see refused connections until then.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], cancellationToken);
    }

    /// <summary>Starts a server stopped with <see cref="StopAsync"/> again, on the same data and port.</summary>
    public Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return StartPostmasterAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NpgsqlConnection.ClearAllPools();
        try
        {
            if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
            {
                await RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(_rootDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to reap with the rest of /tmp; a stuck file must not fail the run.
            }
        }
    }

    private string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = ServiceUser,
        Database = database,
        Timeout = 30,
    }.ConnectionString;

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_dataDirectory);
        Directory.CreateDirectory(_socketDirectory);
        if (_tls is not null)
        {
            // The server's own copies: PostgreSQL wants its key readable by its account only.
            IssuedCertificate issued = await _tls.IssueAsync("postgres");
            File.Copy(issued.Certificate, Path.Combine(_rootDirectory, "server.crt"), overwrite: true);
            File.Copy(issued.Key, Path.Combine(_rootDirectory, "server.key"), overwrite: true);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(_rootDirectory, "server.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        if (_dropPrivileges)
        {
            // PostgreSQL refuses to run as root, so the tree belongs to the service account.
            await RunRawAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", _rootDirectory], cancellationToken);
        }

        await RunAsync("initdb", ["-D", _dataDirectory, "-A", "trust", "-U", ServiceUser, "-E", "UTF8", "--locale=C", "--no-sync"], cancellationToken);

        await StartPostmasterAsync(cancellationToken);
    }

    private Task StartPostmasterAsync(CancellationToken cancellationToken)
    {
        string options = string.Join(' ',
            $"-p {Port.ToString(CultureInfo.InvariantCulture)}",
            $"-k {_socketDirectory}",
            "-c listen_addresses=127.0.0.1",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200",
            _tls is null ? string.Empty : $"-c ssl=on -c ssl_cert_file={_rootDirectory}/server.crt -c ssl_key_file={_rootDirectory}/server.key",
            Environment.GetEnvironmentVariable(ExtraOptionsVariable) ?? string.Empty);
        return RunAsync("pg_ctl", ["-D", _dataDirectory, "-l", _logFile, "-o", options, "-w", "-t", "60", "start"], cancellationToken);
    }

    private Task RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        string executable = Path.Combine(_binDirectory, tool);
        return _dropPrivileges
            ? RunRawAsync("runuser", ["-u", ServiceUser, "--", executable, .. arguments], cancellationToken)
            : RunRawAsync(executable, arguments, cancellationToken);
    }

    private async Task RunRawAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _rootDirectory,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Describe(fileName, arguments)} did not finish within {CommandTimeout.TotalSeconds:0} s.\n{output}{LogTail()}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Describe(fileName, arguments)} exited with {process.ExitCode}.\n{output}{LogTail()}");
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Describe(string fileName, IReadOnlyList<string> arguments) =>
        string.Join(' ', [Path.GetFileName(fileName), .. arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)]);

    private string LogTail()
    {
        if (!File.Exists(_logFile))
        {
            return string.Empty;
        }

        string[] lines = File.ReadAllLines(_logFile);
        return "--- postgres.log ---\n" + string.Join('\n', lines.TakeLast(30));
    }

    private bool LogMentionsPortInUse() =>
        File.Exists(_logFile) && File.ReadAllText(_logFile).Contains("Address already in use", StringComparison.Ordinal);

    private static string FindBinaries()
    {
        string? newest = Directory.Exists(BinariesRoot)
            ? Directory.EnumerateDirectories(BinariesRoot)
                .Select(dir => (Dir: dir, Version: int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : -1))
                .Where(x => x.Version > 0
                    && File.Exists(Path.Combine(x.Dir, "bin", "initdb"))
                    && File.Exists(Path.Combine(x.Dir, "bin", "pg_ctl")))
                .OrderByDescending(x => x.Version)
                .Select(x => Path.Combine(x.Dir, "bin"))
                .FirstOrDefault()
            : null;

        return newest ?? throw new InvalidOperationException(
            $"PostgreSQL server binaries (initdb, pg_ctl) were not found under {BinariesRoot}/<version>/bin. " +
            "Run ./test.sh, which installs them (apt-get install -y postgresql), then run the tests again.");
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseName();
}
