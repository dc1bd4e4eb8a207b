using Npgsql;
using TwinCity.Silo.Database;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests;

/// <summary>Fresh databases with the project schema, and one-line queries against them.</summary>
internal static class TestDatabase
{
    public const string Invariant = "Npgsql";

    public static readonly string[] ScriptNames =
    [
        "0001_orleans_clustering.sql",
        "0002_orleans_persistence.sql",
        "0003_orleans_reminders.sql",
        "0004_twincity.sql",
        "0007_durable_audit.sql",
    ];

    public static async Task<string> CreateMigratedAsync(PostgresFixture postgres, string prefix)
    {
        string connectionString = await postgres.CreateDatabaseAsync(prefix);
        await new SchemaMigrator(SchemaMigrator.DefaultMigrationsPath).MigrateAsync(connectionString);
        return connectionString;
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params object[] positional)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (object value in positional)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        object? result = await command.ExecuteScalarAsync();
        return (T)Convert.ChangeType(result!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<int> ExecuteAsync(string connectionString, string sql, params object[] positional)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (object value in positional)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<List<string>> StringsAsync(string connectionString, string sql, params object[] positional)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (object value in positional)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        var values = new List<string>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
