using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using TwinCity.Cluster.Tests.Grains;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests;

/// <summary>
/// Real Orleans silos against the project's own scripts: if a query key, parameter name or result
/// column were wrong, the providers would fail here.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class AdoNetClusterTests(PostgresFixture postgres, AdoNetClusterFixture fixture) : IClassFixture<AdoNetClusterFixture>
{
    private static readonly TimeSpan ReminderDeadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Membership_shows_both_silos_active()
    {
        TestCluster cluster = await fixture.GetClusterAsync(postgres);

        // The rows are written before the silos' start completes, but a silo hears of the other's
        // joining by gossip or its next read of the table: read its view until it shows both.
        IManagementGrain management = cluster.Client.GetGrain<IManagementGrain>(0);
        Dictionary<SiloAddress, SiloStatus> hosts = await management.GetHosts(onlyActive: true);
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (hosts.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            hosts = await management.GetHosts(onlyActive: true);
        }

        List<string> rows = await TestDatabase.StringsAsync(fixture.ConnectionString,
            "SELECT Address || ':' || Port || '@' || Generation FROM OrleansMembershipTable WHERE DeploymentId = $1 AND Status = 3",
            cluster.Options.ClusterId);

        string[] silos = cluster.GetActiveSilos().Select(s => s.SiloAddress.ToParsableString()).Order().ToArray();
        Assert.Equal(2, silos.Length);
        Assert.Equal(silos, hosts.Keys.Select(k => k.ToParsableString()).Order());
        Assert.Equal(silos, rows.Order());
    }

    [Fact]
    public async Task String_key_state_survives_deactivation()
    {
        TestCluster cluster = await fixture.GetClusterAsync(postgres);
        IStringKeyProbeGrain grain = cluster.GrainFactory.GetGrain<IStringKeyProbeGrain>("probe-" + Guid.NewGuid().ToString("N"));

        await AssertStateSurvivesDeactivationAsync(cluster, grain);
    }

    [Fact]
    public async Task Integer_key_state_survives_deactivation()
    {
        TestCluster cluster = await fixture.GetClusterAsync(postgres);
        IIntegerKeyProbeGrain grain = cluster.GrainFactory.GetGrain<IIntegerKeyProbeGrain>(Random.Shared.NextInt64(1, long.MaxValue));

        await AssertStateSurvivesDeactivationAsync(cluster, grain);
    }

    [Fact]
    public async Task Compound_key_state_survives_deactivation_and_extensions_stay_apart()
    {
        TestCluster cluster = await fixture.GetClusterAsync(postgres);
        Guid key = Guid.NewGuid();
        ICompoundKeyProbeGrain north = cluster.GrainFactory.GetGrain<ICompoundKeyProbeGrain>(key, "north", null);
        ICompoundKeyProbeGrain south = cluster.GrainFactory.GetGrain<ICompoundKeyProbeGrain>(key, "south", null);

        await AssertStateSurvivesDeactivationAsync(cluster, north);
        await south.Add(100, "other");
        await cluster.DeactivateAsync(north);

        Assert.Equal(5, (await north.Read()).Total);
        Assert.Equal(100, (await south.Read()).Total);
    }

    [Fact]
    public async Task Cleared_state_reads_back_empty_and_can_be_written_again()
    {
        TestCluster cluster = await fixture.GetClusterAsync(postgres);
        IStringKeyProbeGrain grain = cluster.GrainFactory.GetGrain<IStringKeyProbeGrain>("clear-" + Guid.NewGuid().ToString("N"));
        await grain.Add(7, "before");

        await grain.Clear();
        await cluster.DeactivateAsync(grain);
        ProbeSnapshot cleared = await grain.Read();
        ProbeSnapshot rewritten = await grain.Add(1, "after");

        Assert.False(cleared.RecordExists);
        Assert.Equal(0, cleared.Total);
        Assert.Equal("2", cleared.ETag);
        Assert.True(rewritten.RecordExists);
        Assert.Equal(["after"], rewritten.Notes);
        Assert.Equal("3", rewritten.ETag);
    }

    [Fact]
    public async Task Clearing_with_delete_on_clear_removes_the_row()
    {
        TestCluster cluster = await fixture.GetClusterAsync(postgres);
        string key = "delete-" + Guid.NewGuid().ToString("N");
        IDeletingProbeGrain grain = cluster.GrainFactory.GetGrain<IDeletingProbeGrain>(key);
        await grain.Add(7, "before");
        int rowsBefore = await CountStorageRowsAsync(key);

        await grain.Clear();
        int rowsAfter = await CountStorageRowsAsync(key);
        await cluster.DeactivateAsync(grain);
        ProbeSnapshot reloaded = await grain.Read();
        ProbeSnapshot rewritten = await grain.Add(1, "after");

        Assert.Equal(1, rowsBefore);
        Assert.Equal(0, rowsAfter);
        Assert.False(reloaded.RecordExists);
        Assert.Null(reloaded.ETag);
        Assert.Equal("1", rewritten.ETag);
    }

    [Fact]
    public async Task A_write_from_a_stale_version_is_rejected()
    {
        TestCluster cluster = await fixture.GetClusterAsync(postgres);
        string key = "stale-" + Guid.NewGuid().ToString("N");
        IStringKeyProbeGrain grain = cluster.GrainFactory.GetGrain<IStringKeyProbeGrain>(key);
        await grain.Add(1, "first");

        // Another writer got there first.
        int bumped = await TestDatabase.ExecuteAsync(fixture.ConnectionString,
            "UPDATE OrleansStorage SET Version = Version + 1 WHERE GrainIdExtensionString = $1", key);
        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Add(1, "lost"));
        await cluster.DeactivateAsync(grain);
        ProbeSnapshot reloaded = await grain.Read();

        Assert.Equal(1, bumped);
        Assert.Equal(["first"], reloaded.Notes);
        Assert.Equal("2", reloaded.ETag);
    }

    [Fact]
    public async Task A_reminder_is_stored_fires_and_unregisters()
    {
        TestCluster cluster = await fixture.GetClusterAsync(postgres);
        string key = "reminder-" + Guid.NewGuid().ToString("N");
        IReminderProbeGrain grain = cluster.GrainFactory.GetGrain<IReminderProbeGrain>(key);

        await grain.Register(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        int storedRows = await CountReminderRowsAsync(grain);
        bool registered = await grain.IsRegistered();
        int ticks = await WaitForTicksAsync(grain);
        await grain.Unregister();

        Assert.Equal(1, storedRows);
        Assert.True(registered);
        Assert.True(ticks >= 1, $"The reminder did not fire within {ReminderDeadline.TotalSeconds:0} s.");
        Assert.False(await grain.IsRegistered());
        Assert.Equal(0, await CountReminderRowsAsync(grain));
    }

    private static async Task AssertStateSurvivesDeactivationAsync(TestCluster cluster, IProbeGrain grain)
    {
        ProbeSnapshot fresh = await grain.Read();
        await grain.Add(2, "one");
        ProbeSnapshot written = await grain.Add(3, "two");

        await cluster.DeactivateAsync(grain);
        ProbeSnapshot reloaded = await grain.Read();

        Assert.False(fresh.RecordExists);
        Assert.Null(fresh.ETag);
        Assert.Equal("2", written.ETag);
        Assert.NotEqual(written.ActivationId, reloaded.ActivationId);
        Assert.True(reloaded.RecordExists);
        Assert.Equal(5, reloaded.Total);
        Assert.Equal(["one", "two"], reloaded.Notes);
        Assert.Equal("2", reloaded.ETag);
    }

    private Task<int> CountStorageRowsAsync(string stringKey) =>
        TestDatabase.ScalarAsync<int>(fixture.ConnectionString,
            "SELECT count(*) FROM OrleansStorage WHERE GrainIdExtensionString = $1", stringKey);

    private Task<int> CountReminderRowsAsync(IReminderProbeGrain grain) =>
        TestDatabase.ScalarAsync<int>(fixture.ConnectionString,
            "SELECT count(*) FROM OrleansRemindersTable WHERE GrainId = $1 AND ReminderName = $2",
            grain.GetGrainId().ToString(), ReminderProbeGrain.ReminderName);

    private static async Task<int> WaitForTicksAsync(IReminderProbeGrain grain)
    {
        DateTime deadline = DateTime.UtcNow + ReminderDeadline;
        int ticks;
        while ((ticks = await grain.Ticks()) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return ticks;
    }
}
