using Orleans.Runtime;
using Orleans.Storage;
using TwinCity.Cluster.Tests.Grains;
using TwinCity.Silo.Storage;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Storage;

/// <summary>
/// The batched reads answer what Orleans' ADO.NET provider answers for the same grains (state, ETag,
/// whether a record exists), for string and integer keys, cleared and never-written states; batched
/// writes are what the provider reads back, with its versioning (a stale ETag is a conflict, in a
/// batch as alone); and grains read or written together go to PostgreSQL in a few statements.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class BatchedGrainStorageTests(PostgresFixture postgres, AdoNetClusterFixture fixture) : IClassFixture<AdoNetClusterFixture>
{
    private const string StateName = "probe";

    [Fact]
    public async Task Reads_gathered_into_batches_answer_as_Orleans_provider_does()
    {
        await using BatchedStorageRig rig = await BatchedStorageRig.CreateAsync(postgres, fixture);
        (IGrainStorage provider, BatchedGrainStorage batched) = (rig.Provider, rig.Batched);
        List<GrainId> grains = Grains("r", 150);

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

    [Fact]
    public async Task Writes_gathered_into_batches_keep_Orleans_versions_and_conflicts()
    {
        await using BatchedStorageRig rig = await BatchedStorageRig.CreateAsync(postgres, fixture);
        (IGrainStorage provider, BatchedGrainStorage batched) = (rig.Provider, rig.Batched);
        List<GrainId> grains = Grains("w", 200);
        string run = Guid.NewGuid().ToString("N")[..8];

        // First writes, all at once: inserted with version 1, as the provider would.
        GrainState<ProbeState>[] states = [.. grains.Select((_, i) => new GrainState<ProbeState>(new ProbeState { Total = i, Notes = [$"first {i}"] }))];
        await Task.WhenAll(grains.Select((g, i) => batched.WriteStateAsync(StateName, g, states[i])));
        Assert.All(states, s => Assert.Equal("1", s.ETag));
        Assert.All(states, s => Assert.True(s.RecordExists));
        Assert.InRange(batched.WriteBatches, 1, 40);
        Assert.Equal(grains.Count, batched.Written);

        // The state is serialized when the write is asked for: a change after it is not written.
        var late = new GrainState<ProbeState>(new ProbeState { Total = 7 });
        GrainId lateGrain = GrainId.Create("batched-probe", $"late-{run}");
        Task lateWrite = batched.WriteStateAsync(StateName, lateGrain, late);
        late.State!.Total = 8;
        await lateWrite;

        // Second writes, half of them by the provider in between, so the batch holds stale ETags for those.
        for (int i = 0; i < grains.Count; i += 2)
        {
            var other = new GrainState<ProbeState>(new ProbeState { Total = -i }) { ETag = states[i].ETag };
            await provider.WriteStateAsync(StateName, grains[i], other);
        }

        foreach ((GrainState<ProbeState> state, int i) in states.Select((s, i) => (s, i)))
        {
            state.State!.Total = 10_000 + i;
        }

        Task[] seconds = [.. grains.Select((g, i) => batched.WriteStateAsync(StateName, g, states[i]))];
        await Task.WhenAll(seconds).ContinueWith(_ => { }, TaskScheduler.Default);
        for (int i = 0; i < grains.Count; i++)
        {
            var stored = new GrainState<ProbeState>();
            await provider.ReadStateAsync(StateName, grains[i], stored);
            string what = $"grain {i} ({grains[i]})";
            if (i % 2 == 0)
            {
                // Written meanwhile by another: refused as the provider refuses it, the other's state kept.
                Exception? error = seconds[i].Exception?.InnerException;
                Assert.True(error is InconsistentStateException, $"{what}: {error?.GetType().Name ?? "no error"}");
                Assert.Equal("1", states[i].ETag);
                Assert.Equal(-i, stored.State!.Total);
                Assert.Equal("2", stored.ETag);
            }
            else
            {
                Assert.True(seconds[i].IsCompletedSuccessfully, $"{what}: {seconds[i].Exception?.InnerException?.Message}");
                Assert.Equal("2", states[i].ETag);
                Assert.Equal(10_000 + i, stored.State!.Total);
                Assert.Equal("2", stored.ETag);
            }
        }

        var lateStored = new GrainState<ProbeState>();
        await batched.ReadStateAsync(StateName, lateGrain, lateStored);
        Assert.Equal(7, lateStored.State!.Total);

        // A first write for a grain that has a record already (two activations both found none) is a conflict too.
        var duplicate = new GrainState<ProbeState>(new ProbeState { Total = 1 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => batched.WriteStateAsync(StateName, grains[1], duplicate));
    }

    /// <summary>Grains of both key layouts the batch handles: <paramref name="pairs"/> string keys and as many integer keys.</summary>
    private static List<GrainId> Grains(string prefix, int pairs)
    {
        string run = Guid.NewGuid().ToString("N")[..8];
        var grains = new List<GrainId>();
        for (int i = 0; i < pairs; i++)
        {
            grains.Add(GrainId.Create("batched-probe", $"{prefix}-{run}-{i}"));
            grains.Add(GrainId.Create(GrainType.Create("batched-probe"), GrainIdKeyExtensions.CreateIntegerKey(Random.Shared.NextInt64(1, long.MaxValue))));
        }

        return grains;
    }
}
