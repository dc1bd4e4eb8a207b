using Orleans.TestingHost;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests;

/// <summary>
/// A two-silo test cluster whose membership, grain storage and reminders all live in one migrated
/// PostgreSQL database. Started on first use because it needs the collection's server.
/// </summary>
public sealed class AdoNetClusterFixture : IAsyncLifetime
{
    public const string StorageName = "test";
    public const string DeletingStorageName = "test-delete";
    public const string ConnectionStringKey = "TwinCityTests:PostgresConnectionString";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private TestCluster? _cluster;

    public string ConnectionString { get; private set; } = string.Empty;

    public async Task<TestCluster> GetClusterAsync(PostgresFixture postgres)
    {
        await _gate.WaitAsync();
        try
        {
            if (_cluster is null)
            {
                ConnectionString = await TestDatabase.CreateMigratedAsync(postgres, "cluster");

                var builder = new TestClusterBuilder(2);
                // The point is the ADO.NET membership, not the test host's in-memory one.
                builder.Options.UseTestClusterMembership = false;
                builder.Options.ConfigureFileLogging = false;
                builder.Properties[ConnectionStringKey] = ConnectionString;
                builder.AddSiloBuilderConfigurator<AdoNetSiloConfigurator>();
                builder.AddClientBuilderConfigurator<AdoNetClientConfigurator>();

                TestCluster cluster = builder.Build();
                try
                {
                    await cluster.DeployAsync();
                }
                catch
                {
                    await cluster.DisposeAsync();
                    throw;
                }

                _cluster = cluster;
            }

            return _cluster;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }

        _gate.Dispose();
    }
}
