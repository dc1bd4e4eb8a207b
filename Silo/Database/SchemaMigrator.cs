using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace TwinCity.Silo.Database;

/// <summary>
/// Applies the numbered scripts of db/migrations to a PostgreSQL database, each once, in order.
/// Several silos may start together: they serialize on an advisory lock and the later ones find
/// nothing left to do.
/// </summary>
public sealed partial class SchemaMigrator
{
    /// <summary>Session advisory lock key shared by every TwinCity migrator ("TwinCity" in ASCII).</summary>
    public const long AdvisoryLockKey = 0x5477696E43697479;

    private const string HistoryTable = "schema_migrations";

    // Migrations may rewrite large tables; the lock wait covers another silo doing exactly that.
    private const int ScriptTimeoutSeconds = 600;

    private readonly ILogger _logger;

    public SchemaMigrator(string migrationsDirectory, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(migrationsDirectory);
        MigrationsDirectory = Path.GetFullPath(migrationsDirectory);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The directory the scripts are read from.</summary>
    public string MigrationsDirectory { get; }

    /// <summary>
    /// The first "db/migrations" found in the application's base directory or one of its parents:
    /// the copy next to a published silo, or the repository's own when run from a build tree.
    /// When none exists, the path next to the application (which <see cref="MigrateAsync"/> reports as missing).
    /// </summary>
    public static string DefaultMigrationsPath
    {
        get
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "db", "migrations");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            return Path.Combine(AppContext.BaseDirectory, "db", "migrations");
        }
    }

    /// <summary>
    /// Brings the database up to date. Returns the file names of the scripts applied by this call,
    /// in order; empty when the database was already current.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// A script already applied has changed on disk, or two scripts share a version number.
    /// </exception>
    public async Task<IReadOnlyList<string>> MigrateAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        IReadOnlyList<Script> scripts = LoadScripts();

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);

        LogWaitingForLock(connection.Database);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", timeoutSeconds: 0, cancellationToken);
        try
        {
            // Only created when missing, so checking a current database needs no CREATE right.
            await ExecuteAsync(connection, null, $"""
                DO $$
                BEGIN
                    IF to_regclass('{HistoryTable}') IS NULL THEN
                        CREATE TABLE {HistoryTable}
                        (
                            version    integer     NOT NULL PRIMARY KEY,
                            name       text        NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now(),
                            checksum   text        NOT NULL
                        );
                    END IF;
                END
                $$
                """, ScriptTimeoutSeconds, cancellationToken);

            Dictionary<int, (string Name, string Checksum)> applied = await ReadHistoryAsync(connection, cancellationToken);
            foreach (Script script in scripts)
            {
                if (applied.TryGetValue(script.Version, out var done) && done.Checksum != script.Checksum)
                {
                    throw new InvalidOperationException(
                        $"Migration {script.FileName} was changed after it was applied to database '{connection.Database}' " +
                        $"(recorded as {done.Name}, checksum {done.Checksum}; file now {script.Checksum}). " +
                        "Applied migrations are immutable: restore the file and put the change in a new, higher-numbered script.");
                }
            }

            var appliedNow = new List<string>();
            foreach (Script script in scripts.Where(s => !applied.ContainsKey(s.Version)))
            {
                await ApplyAsync(connection, script, cancellationToken);
                appliedNow.Add(script.FileName);
            }

            LogUpToDate(connection.Database, appliedNow.Count, scripts.Count);
            return appliedNow;
        }
        finally
        {
            // A broken connection drops its session lock anyway; only unlock a usable one.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", ScriptTimeoutSeconds, CancellationToken.None);
            }
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, Script script, CancellationToken cancellationToken)
    {
        LogApplying(script.FileName);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await ExecuteAsync(connection, transaction, script.Sql, ScriptTimeoutSeconds, cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new InvalidOperationException($"Migration {script.FileName} failed: {ex.MessageText} (SQLSTATE {ex.SqlState}).", ex);
        }

        await using (var record = new NpgsqlCommand(
            $"INSERT INTO {HistoryTable} (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
        {
            record.Parameters.Add(new NpgsqlParameter { Value = script.Version });
            record.Parameters.Add(new NpgsqlParameter { Value = script.FileName });
            record.Parameters.Add(new NpgsqlParameter { Value = script.Checksum });
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        LogApplied(script.FileName, script.Version);
    }

    private static async Task<Dictionary<int, (string Name, string Checksum)>> ReadHistoryAsync(
        NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, (string, string)>();
        await using var command = new NpgsqlCommand($"SELECT version, name, checksum FROM {HistoryTable}", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = (reader.GetString(1), reader.GetString(2));
        }

        return applied;
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, int timeoutSeconds, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = timeoutSeconds };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private IReadOnlyList<Script> LoadScripts()
    {
        if (!Directory.Exists(MigrationsDirectory))
        {
            throw new DirectoryNotFoundException($"Migrations directory '{MigrationsDirectory}' does not exist.");
        }

        var scripts = new List<Script>();
        foreach (string path in Directory.EnumerateFiles(MigrationsDirectory, "*.sql"))
        {
            string fileName = Path.GetFileName(path);
            Match match = ScriptName().Match(fileName);
            if (!match.Success)
            {
                LogIgnoredFile(fileName);
                continue;
            }

            // The text that is hashed is the text that runs, even if the file changes meanwhile.
            string sql = Normalize(File.ReadAllBytes(path));
            int version = int.Parse(match.Groups["version"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            scripts.Add(new Script(version, fileName, sql, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)))));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (int i = 1; i < scripts.Count; i++)
        {
            if (scripts[i].Version == scripts[i - 1].Version)
            {
                throw new InvalidOperationException(
                    $"Migrations {scripts[i - 1].FileName} and {scripts[i].FileName} share version {scripts[i].Version}.");
            }
        }

        return scripts;
    }

    // A checkout that rewrites line endings or adds a BOM must not look like an edited migration.
    private static string Normalize(byte[] content) =>
        Encoding.UTF8.GetString(content).TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?<version>\d{1,9})_[A-Za-z0-9_\-]+\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex ScriptName();

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Waiting for the migration lock on database {Database}")]
    private partial void LogWaitingForLock(string database);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Applying migration {FileName}")]
    private partial void LogApplying(string fileName);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Applied migration {FileName} (version {Version})")]
    private partial void LogApplied(string fileName, int version);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Database {Database} is up to date: {AppliedNow} migration(s) applied now, {Known} known")]
    private partial void LogUpToDate(string database, int appliedNow, int known);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Ignoring {FileName}: migration files are named NNNN_description.sql")]
    private partial void LogIgnoredFile(string fileName);

    private sealed record Script(int Version, string FileName, string Sql, string Checksum);
}
