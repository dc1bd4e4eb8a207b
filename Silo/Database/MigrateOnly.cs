namespace TwinCity.Silo.Database;

/// <summary><c>--migrate-only</c>: bring the database up to date and exit, for operators who apply migrations ahead of a rollout.</summary>
public static class MigrateOnly
{
    public const string Switch = "--migrate-only";

    /// <summary>Returns the process exit code when the switch is given, or null to start the silo as usual.</summary>
    public static async Task<int?> TryRunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!args.Contains(Switch, StringComparer.Ordinal))
        {
            return null;
        }

        IConfiguration configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a != Switch).ToArray())
            .Build();
        string? connectionString = configuration.GetConnectionString("TwinCity");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync("ConnectionStrings:TwinCity is required for --migrate-only (a PostgreSQL connection string)");
            return 2;
        }

        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole());
        try
        {
            var migrator = new SchemaMigrator(SchemaMigrator.DefaultMigrationsPath, loggers.CreateLogger<SchemaMigrator>());
            IReadOnlyList<string> applied = await migrator.MigrateAsync(connectionString);
            Console.WriteLine(applied.Count == 0 ? "The database is up to date." : $"Applied {string.Join(", ", applied)}.");
            return 0;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or IOException)
        {
            await Console.Error.WriteLineAsync("Migration failed: " + ex.Message);
            return 1;
        }
    }
}
