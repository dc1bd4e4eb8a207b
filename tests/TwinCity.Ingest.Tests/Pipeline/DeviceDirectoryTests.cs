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

    [Fact]
    public async Task A_twin_is_offered_the_id_string_held_for_its_device_when_it_spells_the_twins_key()
    {
        var store = new CountingRegistrations(Registration("SL-0042", revision: 2));
        DeviceDirectory directory = Directory(store);
        string held = (await directory.FindAsync(DevEui))!.Value.TwinId;

        Assert.Same(held, directory.Find(DevEui, "SL-0042"u8));
        Assert.Null(directory.Find(DevEui, "SL-0043"u8));
        Assert.Null(directory.Find(DevEui, "SL-004"u8));
        Assert.Null(directory.Find(DevEui + 1, "SL-0042"u8));
    }

    [Fact]
    public async Task A_device_found_unregistered_offers_no_id()
    {
        DeviceDirectory directory = Directory(new CountingRegistrations(Registration("SL-0042", revision: 1)));
        Assert.Null(await directory.FindAsync(DevEui + 7));

        Assert.Null(directory.Find(DevEui + 7, "SL-0042"u8));
    }

    [Fact]
    public async Task A_registration_read_again_keeps_the_id_string_twins_took_while_the_id_is_unchanged()
    {
        var store = new CountingRegistrations(Registration("SL-0042", revision: 2));
        DeviceDirectory directory = Directory(store);
        string held = (await directory.FindAsync(DevEui))!.Value.TwinId;

        // A new revision of the same device and twin, read as a new string.
        store.Registration = Registration(new string("SL-0042".AsSpan()), revision: 3);
        DeviceRoute again = (await directory.ReadAgainAsync(DevEui))!.Value;

        Assert.Equal(3, again.Revision);
        Assert.Same(held, again.TwinId);
        Assert.Same(held, directory.Find(DevEui, "SL-0042"u8));

        // Bound to another twin: the new id is the one held.
        store.Registration = Registration("SL-0099", revision: 4);
        Assert.Equal("SL-0099", (await directory.ReadAgainAsync(DevEui))?.TwinId);
        Assert.Null(directory.Find(DevEui, "SL-0042"u8));
        Assert.Equal("SL-0099", directory.Find(DevEui, "SL-0099"u8));
    }

    [Theory]
    [InlineData("SL-0042", "SL-0042", true)]
    [InlineData("SL-0042", "SL-0043", false)]
    [InlineData("SL-0042", "SL-00420", false)]
    [InlineData("Ünlü-1", "Ünlü-1", true)]
    [InlineData("Ünlü-1", "Unlu-1", false)]
    public void An_id_is_compared_with_a_key_as_its_utf8_bytes(string id, string key, bool same) =>
        Assert.Equal(same, DeviceDirectory.Spells(id, System.Text.Encoding.UTF8.GetBytes(key)));

    private static DeviceDirectory Directory(IDeviceRegistrations store) =>
        new(grains: null!, Options.Create(new IngestOptions()), TimeProvider.System, store);

    private static DeviceRegistration Registration(string twinId, long revision) =>
        new(DevEui, TwinKind.Streetlight, twinId, twinId, new GeoPoint(40.4093, 49.8671), "streetlight-v1", 600, Revision: revision);

    private sealed class CountingRegistrations(DeviceRegistration registration) : IDeviceRegistrations
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        /// <summary>The registration the store holds; a test changes it as a registry would.</summary>
        public DeviceRegistration Registration { get; set; } = registration;

        public ValueTask<DeviceRegistration?> ReadAsync(ulong devEui)
        {
            Interlocked.Increment(ref _reads);
            DeviceRegistration held = Registration;
            return ValueTask.FromResult<DeviceRegistration?>(devEui == held.DevEui ? held : null);
        }
    }
}
