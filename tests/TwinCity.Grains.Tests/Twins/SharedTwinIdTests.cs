using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TwinCity.Grains.Cells;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Twins;

/// <summary>
/// A twin takes the id string the silo already holds for its device (<see cref="ISharedTwinIds"/>)
/// rather than making its own from its key, on a silo of its own whose shared ids and cell updates
/// are watched: the cell is where a twin's id string goes with every change.
/// </summary>
public sealed class SharedTwinIdTests : OwnSiloTests<SharedTwinIdTests.WatchedSilo>
{
    [Fact]
    public async Task A_twin_whose_device_the_silo_holds_an_id_for_takes_that_string()
    {
        const ulong devEui = 0x70B3D57ED00A1001;
        string id = "SL-SHARED-" + Guid.NewGuid().ToString("N")[..8];
        string held = new(id.AsSpan());
        Assert.False(ReferenceEquals(id, held));
        Ids.Hold(devEui, held);

        ITwinGrain twin = await ProvisionAsync(devEui, id);
        await twin.UplinkAsync(new Uplink(devEui, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.DimLevel, 40)], DeviceId: id));

        Assert.Contains(Ids.Asked, a => a.DevEui == devEui && a.Key == id);
        TwinSummary[] told = Cells.Told(id);
        Assert.NotEmpty(told);
        Assert.All(told, s => Assert.Same(held, s.Id));
    }

    [Fact]
    public async Task A_twin_whose_device_the_silo_holds_no_id_for_reads_its_key()
    {
        const ulong devEui = 0x70B3D57ED00A1002;
        string id = "SL-OWN-" + Guid.NewGuid().ToString("N")[..8];

        ITwinGrain twin = await ProvisionAsync(devEui, id);
        await twin.UplinkAsync(new Uplink(devEui, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.DimLevel, 40)]));

        Assert.Contains(Ids.Asked, a => a.DevEui == devEui && a.Key == id);
        Assert.All(Cells.Told(id), s => Assert.Equal(id, s.Id));
        Assert.NotEmpty(Cells.Told(id));
    }

    private RecordingSharedIds Ids => Silo.GetRequiredService<RecordingSharedIds>();

    private WatchedCells Cells => Silo.GetRequiredService<WatchedCells>();

    private IServiceProvider Silo => ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services;

    private async Task<ITwinGrain> ProvisionAsync(ulong devEui, string id)
    {
        await Cluster.GrainFactory.GetDevice(devEui).RegisterAsync(new DeviceRegistration(
            devEui, TwinKind.Streetlight, id, "test " + id, new GeoPoint(40.40, 49.86), "cayenne-lpp", 600));
        return Cluster.GrainFactory.GetTwin(TwinKind.Streetlight, id);
    }

    public sealed class WatchedSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            ClusterFixture.AddTestGrains(siloBuilder);
            siloBuilder.Services.AddSingleton<RecordingSharedIds>();
            siloBuilder.Services.AddSingleton<ISharedTwinIds>(sp => sp.GetRequiredService<RecordingSharedIds>());
            siloBuilder.Services.AddSingleton<DirectCellUpdates>();
            siloBuilder.Services.AddSingleton<WatchedCells>();
            siloBuilder.Services.AddSingleton<ICellUpdates>(sp => sp.GetRequiredService<WatchedCells>());
        }
    }

    /// <summary>Shared ids held by DevEUI, as ingest's directory holds them, recording what twins ask.</summary>
    public sealed class RecordingSharedIds : ISharedTwinIds
    {
        private readonly ConcurrentDictionary<ulong, string> _held = new();

        public ConcurrentQueue<(ulong DevEui, string Key)> Asked { get; } = new();

        public void Hold(ulong devEui, string id) => _held[devEui] = id;

        public string? Find(ulong devEui, ReadOnlySpan<byte> key)
        {
            string spelled = Encoding.UTF8.GetString(key);
            Asked.Enqueue((devEui, spelled));
            return _held.TryGetValue(devEui, out string? id) && id == spelled ? id : null;
        }
    }

    /// <summary>The silo's cell updates, passed on, with every summary a twin sent kept by its id.</summary>
    public sealed class WatchedCells(DirectCellUpdates inner) : ICellUpdates
    {
        private readonly ConcurrentQueue<TwinSummary> _told = new();

        public TwinSummary[] Told(string id) => [.. _told.Where(s => s.Id == id)];

        public void Update(long cell, TwinSummary summary)
        {
            _told.Enqueue(summary);
            inner.Update(cell, summary);
        }

        public void Leave(long cell, TwinSummary summary) => inner.Leave(cell, summary);

        public void TwinEntered(ICellMember twin, long cell, long? from) => inner.TwinEntered(twin, cell, from);

        public void TwinDeparted(ICellMember twin, long cell) => inner.TwinDeparted(twin, cell);

        public void CellActivated(long cell) => inner.CellActivated(cell);

        public void CellRegistered(long cell) => inner.CellRegistered(cell);

        public void CellDeactivated(long cell) => inner.CellDeactivated(cell);

        public Task<long[]> RegisteredCellsAsync(TimeSpan timeout) => inner.RegisteredCellsAsync(timeout);
    }
}
