using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;
using TwinCity.Silo.Storage;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Storage;

/// <summary>Orleans' own provider on the fixture's silo, and a batch over it and the same database.</summary>
internal sealed class BatchedStorageRig(IServiceProvider services, IGrainStorage provider, BatchedGrainStorage batched, NpgsqlDataSource dataSource) : IAsyncDisposable
{
    /// <summary>The fixture silo's services.</summary>
    public IServiceProvider Services { get; } = services;

    /// <summary>Orleans' provider, with the fixture's serializer (Orleans' default, JSON).</summary>
    public IGrainStorage Provider { get; } = provider;

    public BatchedGrainStorage Batched { get; } = batched;

    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>
    /// The rig; with <paramref name="serializer"/>, the batch reads and writes through the serializer
    /// it makes from the silo's services and the provider's own, where Orleans' provider keeps its own.
    /// </summary>
    public static async Task<BatchedStorageRig> CreateAsync(
        PostgresFixture postgres,
        AdoNetClusterFixture fixture,
        Func<IServiceProvider, IGrainStorageSerializer, IGrainStorageSerializer>? serializer = null)
    {
        TestCluster cluster = await fixture.GetClusterAsync(postgres);
        IServiceProvider services = ((InProcessSiloHandle)cluster.GetActiveSilos().First()).SiloHost.Services;
        IGrainStorage provider = services.GetRequiredKeyedService<IGrainStorage>(AdoNetClusterFixture.StorageName);
        AdoNetGrainStorageOptions options = services.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(AdoNetClusterFixture.StorageName);
        if (serializer is not null)
        {
            options = new AdoNetGrainStorageOptions
            {
                Invariant = options.Invariant,
                ConnectionString = options.ConnectionString,
                HashPicker = options.HashPicker,
                GrainStorageSerializer = serializer(services, options.GrainStorageSerializer),
            };
        }

        NpgsqlDataSource dataSource = NpgsqlDataSource.Create(fixture.ConnectionString);
        var batched = new BatchedGrainStorage(
            provider,
            AdoNetClusterFixture.StorageName,
            options,
            services.GetRequiredService<IOptions<ClusterOptions>>(),
            dataSource,
            NullLogger<BatchedGrainStorage>.Instance);
        return new BatchedStorageRig(services, provider, batched, dataSource);
    }

    public async ValueTask DisposeAsync()
    {
        Batched.Dispose();
        await DataSource.DisposeAsync();
    }
}
