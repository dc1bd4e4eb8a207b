using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary><c>TwinCity.Silo --migrate-only</c> as a deployment step: brings the database up to date and exits.</summary>
[Collection(PostgresFixture.Collection)]
public sealed class MigrateOnlyTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Migrate_only_applies_the_schema_exits_zero_and_changes_nothing_the_second_time()
    {
        string connectionString = await postgres.CreateDatabaseAsync("migrateonly");

        string first = await RunAsync(connectionString);
        Assert.Contains("Applied 0001_orleans_clustering.sql", first, StringComparison.Ordinal);
        Assert.Equal(TestDatabase.ScriptNames.Length, await TestDatabase.ScalarAsync<int>(connectionString, "SELECT count(*) FROM schema_migrations"));

        string second = await RunAsync(connectionString);
        Assert.Contains("up to date", second, StringComparison.Ordinal);
        Assert.Equal(TestDatabase.ScriptNames.Length, await TestDatabase.ScalarAsync<int>(connectionString, "SELECT count(*) FROM schema_migrations"));

        // No silo ran: nothing joined the membership table.
        Assert.Equal(0, await TestDatabase.ScalarAsync<int>(connectionString, "SELECT count(*) FROM OrleansMembershipTable"));
    }

    private static async Task<string> RunAsync(string connectionString)
    {
        var env = new Dictionary<string, string> { ["ConnectionStrings__TwinCity"] = connectionString, ["DOTNET_gcServer"] = "0" };
        await using CityProcess run = await CityProcess.StartAsync(
            CityProcess.SiloDll, env, ["--migrate-only", "--urls", $"http://127.0.0.1:{FreePort.Next()}"], "migrate-only");
        // Waiting for the exit also waits for the process's last lines to be read: a fixed pause
        // after the exit may be too short on a busy machine.
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(60)), "--migrate-only did not exit:\n" + run.LogTail());
        string log = run.LogTail(200);
        Assert.True(run.ExitCode == 0, $"--migrate-only exited with {run.ExitCode}:\n{log}");
        return log;
    }
}
