using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using TwinCity.Cluster.Tests.Grains;
using TwinCity.Silo.Storage;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Storage;

/// <summary>
/// The batched reads answer what Orleans' ADO.NET provider answers for the same grains (state, ETag,
/// whether a record exists), for string and integer keys, cleared and never-written states; and
/// grains read together go to PostgreSQL in a few queries.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class BatchedStateReadsTests(PostgresFixture postgres, AdoNetClusterFixture fixture) : IClassFixture<AdoNetClusterFixture>
{
    private const string StateName = "probe";

    [Fact]
    public async Task Reads_gathered_into_batches_answer_as_Orleans_provider_does()
    {
        TestCluster cluster = await fixture.GetClusterAsync(postgres);
        IServiceProvider services = ((InProcessSiloHandle)cluster.GetActiveSilos().First()).SiloHost.Services;
        IGrainStorage provider = services.GetRequiredKeyedService<IGrainStorage>(AdoNetClusterFixture.StorageName);
        await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(fixture.ConnectionString);
        using var batched = new BatchedStateReads(
            provider,
            AdoNetClusterFixture.StorageName,
            services.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(AdoNetClusterFixture.StorageName),
            services.GetRequiredService<IOptions<ClusterOptions>>(),
            dataSource,
            NullLogger<BatchedStateReads>.Instance);

        string run = Guid.NewGuid().ToString("N")[..8];
        var grains = new List<GrainId>();
        for (int i = 0; i < 150; i++)
        {
            grains.Add(GrainId.Create("batched-probe", $"{run}-{i}"));
            grains.Add(GrainId.Create(GrainType.Create("batched-probe"), GrainIdKeyExtensions.CreateIntegerKey(Random.Shared.NextInt64(1, long.MaxValue))));
        }

        // Most written (some twice, so the versions differ), some written and cleared, the rest never written.
        for (int i = 0; i < grains.Count; i++)
        {
            if (i % 5 == 4)
            {
                continue;
            }

            var state = new GrainState<ProbeState>(new ProbeState { Total = i, Notes = [$"note {i}"] });
            await provider.WriteStateAsync(StateName, grains[i], state);
            if (i % 7 == 0)
            {
                state.State!.Total += 1000;
                await provider.WriteStateAsync(StateName, grains[i], state);
            }

            if (i % 11 == 0)
            {
                await provider.ClearStateAsync(StateName, grains[i], state);
            }
        }

        long batchesBefore = batched.Batches;
        GrainState<ProbeState>[] read = await Task.WhenAll(grains.Select(async g =>
        {
            var state = new GrainState<ProbeState>();
            await batched.ReadStateAsync(StateName, g, state);
            return state;
        }));

        for (int i = 0; i < grains.Count; i++)
        {
            var expected = new GrainState<ProbeState>();
            await provider.ReadStateAsync(StateName, grains[i], expected);
            string what = $"grain {i} ({grains[i]})";
            Assert.True(expected.ETag == read[i].ETag, $"{what}: ETag {read[i].ETag}, Orleans reads {expected.ETag}");
            Assert.True(expected.RecordExists == read[i].RecordExists, $"{what}: record exists {read[i].RecordExists}, Orleans reads {expected.RecordExists}");
            Assert.Equal(expected.State!.Total, read[i].State!.Total);
            Assert.Equal(expected.State!.Notes, read[i].State!.Notes);
        }

        Assert.Contains(read, r => r.RecordExists && r.State!.Total >= 1000);
        Assert.Contains(read, r => !r.RecordExists && r.ETag is not null);
        Assert.Contains(read, r => !r.RecordExists && r.ETag is null);
        long batches = batched.Batches - batchesBefore;
        Assert.InRange(batches, 1, 20);
        Assert.Equal(grains.Count, batched.Grains);

        // A state read in a batch can be written back: its ETag is the one the provider checks.
        var again = new GrainState<ProbeState>();
        await batched.ReadStateAsync(StateName, grains[1], again);
        again.State!.Total = -1;
        await batched.WriteStateAsync(StateName, grains[1], again);
        var check = new GrainState<ProbeState>();
        await provider.ReadStateAsync(StateName, grains[1], check);
        Assert.Equal(-1, check.State!.Total);
    }
}
