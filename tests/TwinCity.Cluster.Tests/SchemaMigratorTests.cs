using TwinCity.Silo.Database;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests;

[Collection(PostgresFixture.Collection)]
public sealed class SchemaMigratorTests(PostgresFixture postgres) : IDisposable
{
    private static readonly string[] ProviderQueryKeys =
    [
        // Clustering
        "CleanupDefunctSiloEntriesKey",
        "CleanupDefunctSiloEntryKey",
        "DeleteMembershipTableEntriesKey",
        "GatewaysQueryKey",
        "InsertMembershipKey",
        "InsertMembershipVersionKey",
        "MembershipReadAllKey",
        "MembershipReadRowKey",
        "UpdateIAmAlivetimeKey",
        "UpdateMembershipKey",

        // Persistence
        "ClearStorageKey",
        "DeleteStorageKey",
        "ReadFromStorageKey",
        "WriteToStorageKey",

        // Reminders
        "DeleteReminderRowKey",
        "DeleteReminderRowsKey",
        "ReadRangeRows1Key",
        "ReadRangeRows2Key",
        "ReadReminderRowKey",
        "ReadReminderRowsKey",
        "UpsertReminderRowKey",
    ];

    private static readonly string[] Tables =
    [
        "orleansquery",
        "orleansmembershipversiontable",
        "orleansmembershiptable",
        "orleansstorage",
        "orleansreminderstable",
        "uplink_history",
        "audit_log",
        "dead_letters",
        "schema_migrations",
    ];

    private readonly List<string> _scratchDirectories = [];

    [Fact]
    public void The_default_path_finds_the_repository_scripts()
    {
        string[] found = Directory.GetFiles(SchemaMigrator.DefaultMigrationsPath, "*.sql").Select(Path.GetFileName).Order().ToArray()!;

        Assert.Equal(TestDatabase.ScriptNames, found);
    }

    [Fact]
    public async Task Applying_the_schema_twice_changes_nothing_the_second_time()
    {
        string db = await postgres.CreateDatabaseAsync("twice");
        var migrator = new SchemaMigrator(SchemaMigrator.DefaultMigrationsPath);

        IReadOnlyList<string> first = await migrator.MigrateAsync(db);
        await TestDatabase.ExecuteAsync(db,
            "INSERT INTO audit_log (actor, agency, action, outcome) VALUES ('test', 'water', 'probe', 'ok')");
        IReadOnlyList<string> second = await migrator.MigrateAsync(db);

        Assert.Equal(TestDatabase.ScriptNames, first);
        Assert.Empty(second);
        foreach (string table in Tables)
        {
            Assert.True(await TestDatabase.ScalarAsync<bool>(db, "SELECT to_regclass($1) IS NOT NULL", table), table);
        }

        Assert.Equal(1, await TestDatabase.ScalarAsync<int>(db, "SELECT count(*) FROM audit_log"));
        Assert.Equal(TestDatabase.ScriptNames.Length, await TestDatabase.ScalarAsync<int>(db, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Two_migrators_started_together_apply_each_script_exactly_once()
    {
        string db = await postgres.CreateDatabaseAsync("race");
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<IReadOnlyList<string>> Start() => Task.Run(async () =>
        {
            await go.Task;
            return await new SchemaMigrator(SchemaMigrator.DefaultMigrationsPath).MigrateAsync(db);
        });

        Task<IReadOnlyList<string>> a = Start();
        Task<IReadOnlyList<string>> b = Start();
        go.SetResult();
        IReadOnlyList<string>[] results = await Task.WhenAll(a, b);

        Assert.Equal(TestDatabase.ScriptNames, results.SelectMany(r => r).Order());
        Assert.Equal(
            TestDatabase.ScriptNames,
            await TestDatabase.StringsAsync(db, "SELECT name FROM schema_migrations ORDER BY version"));
    }

    [Fact]
    public async Task An_edited_script_that_was_already_applied_is_refused_by_name()
    {
        string scripts = CopyScripts();
        string db = await postgres.CreateDatabaseAsync("edited");
        await new SchemaMigrator(scripts).MigrateAsync(db);

        await File.AppendAllTextAsync(Path.Combine(scripts, "0002_orleans_persistence.sql"), "\n-- an afterthought\n");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new SchemaMigrator(scripts).MigrateAsync(db));

        Assert.Contains("0002_orleans_persistence.sql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Line_ending_conversion_does_not_count_as_an_edit()
    {
        string scripts = CopyScripts();
        string db = await postgres.CreateDatabaseAsync("crlf");
        await new SchemaMigrator(scripts).MigrateAsync(db);

        string path = Path.Combine(scripts, "0004_twincity.sql");
        await File.WriteAllTextAsync(path, "\uFEFF" + (await File.ReadAllTextAsync(path)).Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Empty(await new SchemaMigrator(scripts).MigrateAsync(db));
    }

    [Fact]
    public async Task A_current_database_is_checked_without_create_rights()
    {
        string db = await TestDatabase.CreateMigratedAsync(postgres, "readonly");
        string role = "reader_" + Guid.NewGuid().ToString("N")[..8];
        await TestDatabase.ExecuteAsync(db, $"CREATE ROLE {role} LOGIN; GRANT SELECT ON schema_migrations TO {role}; REVOKE CREATE ON SCHEMA public FROM PUBLIC;");
        string asReader = new Npgsql.NpgsqlConnectionStringBuilder(db) { Username = role }.ConnectionString;

        Assert.Empty(await new SchemaMigrator(SchemaMigrator.DefaultMigrationsPath).MigrateAsync(asReader));
    }

    [Fact]
    public async Task A_new_script_is_applied_alone_on_an_up_to_date_database()
    {
        string scripts = CopyScripts();
        string db = await postgres.CreateDatabaseAsync("added");
        await new SchemaMigrator(scripts).MigrateAsync(db);

        await File.WriteAllTextAsync(Path.Combine(scripts, "0098_probe.sql"), "CREATE TABLE probe (id int PRIMARY KEY);\n");
        IReadOnlyList<string> applied = await new SchemaMigrator(scripts).MigrateAsync(db);

        Assert.Equal(["0098_probe.sql"], applied);
        Assert.True(await TestDatabase.ScalarAsync<bool>(db, "SELECT to_regclass('probe') IS NOT NULL"));
    }

    [Fact]
    public async Task A_failing_script_leaves_nothing_behind_and_is_retried_next_time()
    {
        string scripts = CopyScripts();
        string db = await postgres.CreateDatabaseAsync("failing");
        await new SchemaMigrator(scripts).MigrateAsync(db);
        string broken = Path.Combine(scripts, "0099_broken.sql");
        await File.WriteAllTextAsync(broken, "CREATE TABLE half_done (id int);\nSELECT 1 / 0;\n");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new SchemaMigrator(scripts).MigrateAsync(db));
        Assert.Contains("0099_broken.sql", error.Message, StringComparison.Ordinal);
        Assert.False(await TestDatabase.ScalarAsync<bool>(db, "SELECT to_regclass('half_done') IS NOT NULL"));
        Assert.Equal(TestDatabase.ScriptNames.Length, await TestDatabase.ScalarAsync<int>(db, "SELECT count(*) FROM schema_migrations"));

        await File.WriteAllTextAsync(broken, "CREATE TABLE half_done (id int);\n");
        Assert.Equal(["0099_broken.sql"], await new SchemaMigrator(scripts).MigrateAsync(db));
    }

    [Fact]
    public async Task The_query_table_holds_every_key_the_providers_read()
    {
        string db = await TestDatabase.CreateMigratedAsync(postgres, "keys");

        List<string> keys = await TestDatabase.StringsAsync(db, "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey");

        Assert.Equal(ProviderQueryKeys.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_missing_directory_is_reported_with_its_path()
    {
        string missing = Path.Combine(Path.GetTempPath(), "twincity-no-migrations-" + Guid.NewGuid().ToString("N"));

        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(
            () => new SchemaMigrator(missing).MigrateAsync(postgres.ConnectionString));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (string dir in _scratchDirectories)
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private string CopyScripts()
    {
        string dir = Path.Combine(Path.GetTempPath(), "twincity-migrations-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        _scratchDirectories.Add(dir);
        foreach (string file in Directory.GetFiles(SchemaMigrator.DefaultMigrationsPath, "*.sql"))
        {
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        }

        return dir;
    }
}
