using Microsoft.Extensions.Options;
using TwinCity.Gateway.Ingest;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Ingest.Tests.Pipeline;

public sealed class DeviceDirectoryTests
{
    private const ulong DevEui = 0x70B3D57ED0000042;

    [Fact]
    public async Task A_remembered_registration_serves_the_first_uplink_without_reading_the_store()
    {
        var store = new CountingRegistrations(Registration("SL-0042", revision: 3));
        DeviceDirectory directory = Directory(store);

        Assert.True(directory.Remember(DevEui, Registration("SL-0042", revision: 3)));
        DeviceRoute? route = await directory.FindAsync(DevEui);

        Assert.Equal(new DeviceRoute(TwinKind.Streetlight, "SL-0042", "streetlight-v1", null, 3), route);
        Assert.Equal(0, store.Reads);
    }

    [Fact]
    public async Task Remembering_leaves_an_entry_the_silo_already_read_as_it_is()
    {
        var store = new CountingRegistrations(Registration("SL-0042", revision: 5));
        DeviceDirectory directory = Directory(store);
        Assert.Equal(5, (await directory.FindAsync(DevEui))?.Revision);

        // The wake's pass may have read an older revision before the silo read the newer one.
        Assert.False(directory.Remember(DevEui, Registration("SL-0007", revision: 4)));

        Assert.Equal(new DeviceRoute(TwinKind.Streetlight, "SL-0042", "streetlight-v1", null, 5), await directory.FindAsync(DevEui));
        Assert.Equal(1, store.Reads);
    }

    [Fact]
    public async Task A_device_found_unregistered_takes_the_registration_remembered_later()
    {
        var store = new CountingRegistrations(Registration("SL-0042", revision: 1));
        DeviceDirectory directory = Directory(store);
        Assert.Null(await directory.FindAsync(DevEui + 1));

        // Registered since the silo looked, and read by the wake's pass.
        Assert.True(directory.Remember(DevEui + 1, Registration("SL-0043", revision: 1) with { DevEui = DevEui + 1 }));

        Assert.Equal("SL-0043", (await directory.FindAsync(DevEui + 1))?.TwinId);
        Assert.Equal(1, store.Reads);
    }

    [Fact]
    public async Task A_remembered_registration_is_read_again_when_ingest_asks_past_the_cache()
    {
        var store = new CountingRegistrations(Registration("SL-0042", revision: 6));
        DeviceDirectory directory = Directory(store);
        directory.Remember(DevEui, Registration("SL-0042", revision: 5));

        Assert.Equal(6, (await directory.ReadAgainAsync(DevEui))?.Revision);
        Assert.Equal(6, (await directory.FindAsync(DevEui))?.Revision);
        Assert.Equal(1, store.Reads);
    }

    private static DeviceDirectory Directory(IDeviceRegistrations store) =>
        new(grains: null!, Options.Create(new IngestOptions()), TimeProvider.System, store);

    private static DeviceRegistration Registration(string twinId, long revision) =>
        new(DevEui, TwinKind.Streetlight, twinId, twinId, new GeoPoint(40.4093, 49.8671), "streetlight-v1", 600, Revision: revision);

    private sealed class CountingRegistrations(DeviceRegistration registration) : IDeviceRegistrations
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public ValueTask<DeviceRegistration?> ReadAsync(ulong devEui)
        {
            Interlocked.Increment(ref _reads);
            return ValueTask.FromResult<DeviceRegistration?>(devEui == registration.DevEui ? registration : null);
        }
    }
}
