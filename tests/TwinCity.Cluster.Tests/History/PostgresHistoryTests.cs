using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using TwinCity.Grains.Interfaces.History;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Silo.History;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.History;

/// <summary>The history writer against a real PostgreSQL: durable before done, bounded when the database stalls, redeliveries recorded once.</summary>
[Collection(PostgresFixture.Collection)]
public sealed class PostgresHistoryTests(PostgresFixture postgres)
{
    private static readonly DateTime Start = new(2026, 11, 25, 18, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task When_PostgreSQL_stalls_appends_wait_and_the_buffer_stays_bounded()
    {
        string connectionString = await TestDatabase.CreateMigratedAsync(postgres, "histstall");
        await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);
        await using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var options = Options.Create(new HistoryOptions { BufferSize = 100, BatchSize = 10, BatchWindow = TimeSpan.FromMilliseconds(5) });
        using var history = new PostgresHistory(dataSource, options, TimeProvider.System, services.GetRequiredService<IMeterFactory>(), NullLogger<PostgresHistory>.Instance);
        await history.StartAsync(CancellationToken.None);

        // Another session holds the table, as a long migration or a stuck vacuum would: every batch waits.
        await using var blocker = new NpgsqlConnection(connectionString);
        await blocker.OpenAsync();
        await using NpgsqlTransaction hold = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE uplink_history IN ACCESS EXCLUSIVE MODE", blocker, hold))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        Task[] appends = [.. Enumerable.Range(1, 300).Select(i => history.AppendAsync(Record("SLH-1", (uint)i)))];
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        // Nothing is reported durable (so nothing would be acknowledged), and what waits in memory is bounded.
        Assert.DoesNotContain(appends, t => t.IsCompleted);
        Assert.InRange(history.Backlog, 1, 100);

        await hold.RollbackAsync();
        await Task.WhenAll(appends).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(300, await TestDatabase.ScalarAsync<long>(connectionString, "SELECT count(*) FROM uplink_history"));
        await history.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_redelivered_uplink_is_recorded_once_and_read_back_in_order()
    {
        string connectionString = await TestDatabase.CreateMigratedAsync(postgres, "histonce");
        await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);
        await using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var history = new PostgresHistory(dataSource, Options.Create(new HistoryOptions()), TimeProvider.System, services.GetRequiredService<IMeterFactory>(), NullLogger<PostgresHistory>.Instance);
        await history.StartAsync(CancellationToken.None);

        HistoryRecord[] records = [.. Enumerable.Range(1, 8).Select(i => Record("SLH-2", (uint)i))];
        await Task.WhenAll(records.Take(5).Select(history.AppendAsync));

        // Only redeliveries, then redeliveries together with new frames (one of them twice) in one
        // batch: the new frames are recorded and none of the others a second time.
        await Task.WhenAll(records.Take(3).Select(history.AppendAsync));
        await Task.WhenAll(records.Skip(3).Append(records[7]).Select(history.AppendAsync));

        IReadOnlyList<HistoryRecord> read = await history.ReadSinceAsync(TwinKind.Streetlight, "SLH-2", DateTime.MinValue, CancellationToken.None);
        Assert.Equal([1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u], read.Select(r => r.FCnt));
        Assert.InRange(history.BatchesWithRecorded, 2, 3);
        Assert.Equal(3.0, read[2].Values.Single(v => v.Property == TwinProperty.DimLevel).Value.Number);
        await history.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Twins_waking_together_each_get_their_own_history_since_their_snapshot_in_a_few_queries()
    {
        string connectionString = await TestDatabase.CreateMigratedAsync(postgres, "histwake");
        await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);
        await using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var history = new PostgresHistory(dataSource, Options.Create(new HistoryOptions()), TimeProvider.System, services.GetRequiredService<IMeterFactory>(), NullLogger<PostgresHistory>.Instance);
        await history.StartAsync(CancellationToken.None);

        // 300 twins with i % 6 records each; each wakes with a snapshot taken after its frame i % 3.
        const int Twins = 300;
        await Task.WhenAll(Enumerable.Range(0, Twins).SelectMany(i => Enumerable.Range(1, i % 6).Select(f => history.AppendAsync(Record($"WAKE-{i}", (uint)f)))));
        IReadOnlyList<HistoryRecord>[] read = await Task.WhenAll(Enumerable.Range(0, Twins).Select(i =>
            history.ReadSinceAsync(TwinKind.Streetlight, $"WAKE-{i}", i % 3 == 0 ? DateTime.MinValue : Start.AddSeconds(i % 3), CancellationToken.None)));

        for (int i = 0; i < Twins; i++)
        {
            uint[] expected = [.. Enumerable.Range(1, i % 6).Where(f => i % 3 == 0 || f >= i % 3).Select(f => (uint)f)];
            Assert.Equal(expected, read[i].Select(r => r.FCnt));
            Assert.All(read[i], r => Assert.Equal($"WAKE-{i}", r.TwinId));
        }

        Assert.InRange(history.ReplayQueries, 1, Twins / 10);
        Assert.Empty(await history.ReadSinceAsync(TwinKind.Bus, "WAKE-5", DateTime.MinValue, CancellationToken.None));
        await history.StopAsync(CancellationToken.None);
    }

    private static HistoryRecord Record(string twinId, uint fCnt) => new(
        TwinKind.Streetlight, twinId, 0x70B3D57ED0010001, fCnt, Start.AddSeconds(fCnt), [Reading.Of(TwinProperty.DimLevel, fCnt)], null);
}
