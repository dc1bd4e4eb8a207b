using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Storage;

/// <summary>Ingest reads a device's registration from the store its grain writes, on any silo, without the grain.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StoredDeviceRegistrationsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_registration_read_from_the_store_is_what_the_device_grain_holds_on_every_silo()
    {
        ulong devEui = 0x70B3D57ED0FF0000UL + (uint)Random.Shared.Next(0, 0xFFFF);
        string id = $"SDR-{devEui:X}";
        IDeviceRegistrations[] readers = [.. fixture.Cluster.GetActiveSilos().Select(s => ((InProcessSiloHandle)s).SiloHost.Services.GetRequiredService<IDeviceRegistrations>())];
        Assert.Equal(2, readers.Length);
        foreach (IDeviceRegistrations reader in readers)
        {
            Assert.Null(await reader.ReadAsync(devEui));
        }

        await fixture.Grains.GetDevice(devEui).RegisterAsync(new DeviceRegistration(devEui, TwinKind.Streetlight, id, id, new GeoPoint(40.4, 49.85), "cayenne-lpp", 600));
        DeviceRegistration held = (await fixture.Grains.GetDevice(devEui).GetAsync())!;
        foreach (IDeviceRegistrations reader in readers)
        {
            DeviceRegistration? read = await reader.ReadAsync(devEui);
            Assert.NotNull(read);
            Assert.Equal((held.TwinId, held.Kind, held.Codec, held.Revision), (read.TwinId, read.Kind, read.Codec, read.Revision));
        }

        Assert.True(await fixture.Grains.GetDevice(devEui).DeleteAsync());
        foreach (IDeviceRegistrations reader in readers)
        {
            Assert.Null(await reader.ReadAsync(devEui));
        }
    }
}
