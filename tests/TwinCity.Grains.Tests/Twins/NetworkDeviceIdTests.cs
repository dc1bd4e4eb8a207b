using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using TwinCity.Grains.Devices;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Twins;

/// <summary>
/// The Things Stack names a device in its topics by a device id of its own, which only uplinks tell.
/// The twin records it with the device's registration, where a cluster's wake reads it to wake the
/// twin on the silo that owns that name.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class NetworkDeviceIdTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_twin_records_its_devices_The_Things_Stack_id_with_the_registration_and_again_when_it_changes()
    {
        ulong devEui = await RegisterAsync("NDI");
        ITwinGrain twin = fixture.Grains.GetTwin(TwinKind.Streetlight, $"NDI-{devEui:X}");

        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(Up(devEui, 1, NetworkServer.TheThingsStack, "lamp-7")));
        Assert.Equal("lamp-7", await RecordedAsync(devEui, "lamp-7"));

        // Renamed at the network server: the next uplink records the new id.
        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(Up(devEui, 2, NetworkServer.TheThingsStack, "lamp-7-north")));
        Assert.Equal("lamp-7-north", await RecordedAsync(devEui, "lamp-7-north"));
        Assert.Equal($"NDI-{devEui:X}", (await fixture.Grains.GetDevice(devEui).GetAsync())!.TwinId);
    }

    [Fact]
    public async Task A_ChirpStack_device_is_named_by_its_DevEUI_and_nothing_is_recorded()
    {
        ulong devEui = await RegisterAsync("NDC");
        ITwinGrain twin = fixture.Grains.GetTwin(TwinKind.Streetlight, $"NDC-{devEui:X}");

        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(Up(devEui, 1, NetworkServer.ChirpStack, "device-name")));
        await Task.Delay(500);
        Assert.Null((await ReadStoredAsync(devEui)).NetworkDeviceId);
    }

    [Fact]
    public async Task An_empty_device_id_is_not_recorded_and_a_later_real_one_is()
    {
        ulong devEui = await RegisterAsync("NDE");
        ITwinGrain twin = fixture.Grains.GetTwin(TwinKind.Streetlight, $"NDE-{devEui:X}");

        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(Up(devEui, 1, NetworkServer.TheThingsStack, string.Empty)));
        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(Up(devEui, 2, NetworkServer.TheThingsStack, string.Empty)));
        await Task.Delay(500);
        Assert.Null((await ReadStoredAsync(devEui)).NetworkDeviceId);

        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(Up(devEui, 3, NetworkServer.TheThingsStack, "lamp-9")));
        Assert.Equal("lamp-9", await RecordedAsync(devEui, "lamp-9"));
    }

    [Fact]
    public async Task An_unregistered_device_gets_no_record()
    {
        ulong devEui = 0x70B3D57ED1000000UL + (uint)Random.Shared.Next(0, 0xFFFFFF);
        await fixture.Grains.GetDevice(devEui).NoteNetworkDeviceIdAsync("ghost");
        DeviceGrainState stored = await ReadStoredAsync(devEui);
        Assert.Null(stored.Registration);
        Assert.Null(stored.NetworkDeviceId);
    }

    private async Task<ulong> RegisterAsync(string prefix)
    {
        ulong devEui = 0x70B3D57ED0000000UL + (uint)Random.Shared.Next(0, 0xFFFFFF);
        string id = $"{prefix}-{devEui:X}";
        await fixture.Grains.GetDevice(devEui).RegisterAsync(new DeviceRegistration(devEui, TwinKind.Streetlight, id, id, new GeoPoint(40.4, 49.85), "cayenne-lpp", 600));
        return devEui;
    }

    private static Uplink Up(ulong devEui, uint fCnt, NetworkServer source, string deviceId) =>
        new(devEui, fCnt, DateTime.UtcNow, [Reading.Of(TwinProperty.DimLevel, 40.0)], Source: source, ApplicationId: "city-lights@baku", DeviceId: deviceId);

    /// <summary>The network id the registry holds for the device once it is <paramref name="expected"/>, or what it holds after 10 s.</summary>
    private async Task<string?> RecordedAsync(ulong devEui, string expected)
    {
        DateTime until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            string? held = (await ReadStoredAsync(devEui)).NetworkDeviceId;
            if (held == expected || DateTime.UtcNow > until)
            {
                return held;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The device's registry record as the wake reads it: from the store, not through the grain.</summary>
    private async Task<DeviceGrainState> ReadStoredAsync(ulong devEui)
    {
        var silo = (InProcessSiloHandle)fixture.Cluster.Primary!;
        IGrainStorage registry = silo.SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(TwinStorage.Registry);
        var state = new GrainState<DeviceGrainState>();
        await registry.ReadStateAsync(DeviceGrain.StateName, fixture.Grains.GetDevice(devEui).GetGrainId(), state);
        return state.State ?? new DeviceGrainState();
    }
}
