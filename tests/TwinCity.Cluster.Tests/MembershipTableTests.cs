using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests;

/// <summary>
/// Drives the ADO.NET membership provider directly, including the paths a healthy test cluster
/// never takes: lost races, stale versions, defunct-silo cleanup and cluster deletion.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class MembershipTableTests(PostgresFixture postgres)
{
    private static readonly IPAddress Host = IPAddress.Parse("10.1.2.3");

    // Whole milliseconds: the table keeps timestamps to the millisecond.
    private static readonly DateTime Now = new(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    [Fact]
    public async Task Rows_change_only_against_the_current_table_version()
    {
        (AdoNetClusteringTable table, _, _) = await CreateTableAsync("version");
        MembershipTableData empty = await table.ReadAllAsync();
        MembershipEntry first = Entry(11111, SiloStatus.Joining);

        bool inserted = await table.InsertRowAsync(first, empty.Version.Next());
        bool staleInsert = await table.InsertRowAsync(Entry(22222, SiloStatus.Joining), empty.Version.Next());
        MembershipTableData afterInsert = await table.ReadAllAsync();
        bool duplicateInsert = await table.InsertRowAsync(first, afterInsert.Version.Next());
        MembershipTableData afterDuplicate = await table.ReadAllAsync();

        Assert.Empty(empty.Members);
        Assert.True(inserted);
        Assert.False(staleInsert);
        Assert.Single(afterInsert.Members);
        Assert.Equal(empty.Version.Version + 1, afterInsert.Version.Version);
        Assert.False(duplicateInsert);
        Assert.Equal(afterInsert.Version, afterDuplicate.Version);

        (MembershipEntry stored, string etag) = afterInsert.Members[0];
        SiloAddress suspector = SiloAddress.New(Host, 33333, 7);
        stored.Status = SiloStatus.Active;
        stored.SuspectTimes = [Tuple.Create(suspector, Now.AddSeconds(-5))];
        bool updated = await table.UpdateRowAsync(stored, etag, afterInsert.Version.Next());
        bool staleUpdate = await table.UpdateRowAsync(stored, etag, afterInsert.Version.Next());
        MembershipTableData row = await table.ReadRowAsync(first.SiloAddress);

        Assert.True(updated);
        Assert.False(staleUpdate);
        Assert.Equal(afterInsert.Version.Version + 1, row.Version.Version);
        MembershipEntry read = Assert.Single(row.Members).Item1;
        Assert.Equal(first.SiloAddress, read.SiloAddress);
        Assert.Equal(SiloStatus.Active, read.Status);
        Assert.Equal(first.SiloName, read.SiloName);
        Assert.Equal(first.HostName, read.HostName);
        Assert.Equal(first.ProxyPort, read.ProxyPort);
        Assert.Equal(first.StartTime, read.StartTime);
        Assert.NotNull(read.SuspectTimes);
        Assert.Equal(suspector, Assert.Single(read.SuspectTimes).Item1);
    }

    [Fact]
    public async Task Reading_an_unknown_silo_still_returns_the_table_version()
    {
        (AdoNetClusteringTable table, _, _) = await CreateTableAsync("unknown");

        MembershipTableData data = await table.ReadRowAsync(SiloAddress.New(Host, 44444, 1));

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
    }

    [Fact]
    public async Task Heartbeats_move_forward_only()
    {
        (AdoNetClusteringTable table, _, _) = await CreateTableAsync("alive");
        MembershipEntry entry = Entry(11111, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));

        entry.IAmAliveTime = Now.AddMinutes(1);
        await table.UpdateIAmAliveAsync(entry);
        entry.IAmAliveTime = Now.AddMinutes(-1);
        await table.UpdateIAmAliveAsync(entry);
        MembershipEntry read = (await table.ReadRowAsync(entry.SiloAddress)).Members.Single().Item1;

        Assert.Equal(Now.AddMinutes(1), read.IAmAliveTime);
    }

    [Fact]
    public async Task Gateways_are_active_silos_with_a_proxy_port()
    {
        (AdoNetClusteringTable table, string db, string clusterId) = await CreateTableAsync("gateways");
        MembershipEntry active = Entry(11111, SiloStatus.Active, proxyPort: 30001);
        MembershipEntry joining = Entry(11112, SiloStatus.Joining, proxyPort: 30002);
        MembershipEntry noGateway = Entry(11113, SiloStatus.Active, proxyPort: 0);
        foreach (MembershipEntry entry in new[] { active, joining, noGateway })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        }

        var provider = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new AdoNetClusteringClientOptions { Invariant = TestDatabase.Invariant, ConnectionString = db }),
            Options.Create(new GatewayOptions()),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "membership-tests" }));
        await provider.InitializeGatewayListProviderAsync();
        IList<Uri> gateways = await provider.GetGatewaysAsync();

        Uri gateway = Assert.Single(gateways);
        Assert.Equal(30001, gateway.Port);
        Assert.Equal(Host.ToString(), gateway.Host);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Cleanup_removes_only_dead_silos_quiet_since_the_cutoff(bool perRowQuery)
    {
        (AdoNetClusteringTable table, string db, string clusterId) = await CreateTableAsync("cleanup", dropPerRowQuery: !perRowQuery);
        MembershipEntry longDead = Entry(11111, SiloStatus.Dead, start: Now.AddHours(-3), alive: Now.AddHours(-2));
        MembershipEntry recentlyDead = Entry(11112, SiloStatus.Dead, start: Now.AddHours(-3), alive: Now.AddMinutes(-5));
        MembershipEntry quietButActive = Entry(11113, SiloStatus.Active, start: Now.AddHours(-3), alive: Now.AddHours(-2));
        foreach (MembershipEntry entry in new[] { longDead, recentlyDead, quietButActive })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        }

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Now.AddHours(-1)));
        List<string> remaining = await TestDatabase.StringsAsync(db,
            "SELECT Port::text FROM OrleansMembershipTable WHERE DeploymentId = $1 ORDER BY Port", clusterId);

        Assert.Equal(["11112", "11113"], remaining);
    }

    [Fact]
    public async Task Deleting_a_cluster_removes_its_rows_and_version_only()
    {
        (AdoNetClusteringTable table, string db, string clusterId) = await CreateTableAsync("delete");
        (AdoNetClusteringTable other, _, string otherId) = await CreateTableAsync("delete-other", db);
        Assert.True(await table.InsertRowAsync(Entry(11111, SiloStatus.Active), (await table.ReadAllAsync()).Version.Next()));
        Assert.True(await other.InsertRowAsync(Entry(11111, SiloStatus.Active), (await other.ReadAllAsync()).Version.Next()));

        await table.DeleteMembershipTableEntriesAsync(clusterId);

        Assert.Equal(0, await TestDatabase.ScalarAsync<int>(db,
            "SELECT (SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = $1) + (SELECT count(*) FROM OrleansMembershipVersionTable WHERE DeploymentId = $1)",
            clusterId));
        Assert.Single((await other.ReadAllAsync()).Members);
        Assert.NotEqual(clusterId, otherId);
    }

    private async Task<(AdoNetClusteringTable Table, string Database, string ClusterId)> CreateTableAsync(
        string name, string? database = null, bool dropPerRowQuery = false)
    {
        string db = database ?? await TestDatabase.CreateMigratedAsync(postgres, "membership");
        if (dropPerRowQuery)
        {
            await TestDatabase.ExecuteAsync(db, "DELETE FROM OrleansQuery WHERE QueryKey = 'CleanupDefunctSiloEntryKey'");
        }

        string clusterId = $"{name}-{Guid.NewGuid():N}";
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "membership-tests" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = TestDatabase.Invariant, ConnectionString = db }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        // A second silo doing the same must find the version row and leave it alone.
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return (table, db, clusterId);
    }

    private static MembershipEntry Entry(int port, SiloStatus status, int proxyPort = 30000, DateTime? start = null, DateTime? alive = null) => new()
    {
        SiloAddress = SiloAddress.New(Host, port, 1),
        SiloName = $"silo-{port}",
        HostName = "host-a",
        Status = status,
        ProxyPort = proxyPort,
        StartTime = start ?? Now.AddMinutes(-10),
        IAmAliveTime = alive ?? Now,
    };
}
