using Xunit;

namespace TwinCity.Testing;

/// <summary>
/// One throwaway PostgreSQL server for a whole test assembly. Use it as an xunit collection
/// fixture: the test assembly declares
/// <c>[CollectionDefinition(PostgresFixture.Collection)] public sealed class PostgresCollection : ICollectionFixture&lt;PostgresFixture&gt;;</c>
/// and its test classes carry <c>[Collection(PostgresFixture.Collection)]</c>.
/// Tests isolate themselves with <see cref="CreateDatabaseAsync"/> rather than sharing a database.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string Collection = "PostgreSQL";

    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture has not been initialized.");

    /// <summary>Connection string for the server's "postgres" database.</summary>
    public string ConnectionString => Server.ConnectionString;

    /// <summary>A new, empty database whose name starts with <paramref name="prefix"/>.</summary>
    public Task<string> CreateDatabaseAsync(string prefix) => Server.CreateUniqueDatabaseAsync(prefix);

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
