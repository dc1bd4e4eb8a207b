using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Twins;

/// <summary>The twin directory answers from storage: a provisioned twin exists, on either silo; a guess does not.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TwinDirectoryTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_provisioned_twin_exists_and_a_guess_does_not()
    {
        string id = $"D-{Guid.NewGuid():N}"[..20];
        ulong devEui = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        ITwinDirectory[] directories = [.. fixture.Cluster.Silos.Cast<InProcessSiloHandle>().Select(s => s.SiloHost.Services.GetRequiredService<ITwinDirectory>())];
        Assert.False(await directories[0].ExistsAsync(new TwinKey(TwinKind.RoadSensor, id)));

        await fixture.Grains.GetDevice(devEui).RegisterAsync(new DeviceRegistration(devEui, TwinKind.RoadSensor, id, id, new GeoPoint(40.4, 49.9), "cayenne-lpp", 600));

        foreach (ITwinDirectory directory in directories)
        {
            Assert.True(await directory.ExistsAsync(new TwinKey(TwinKind.RoadSensor, id)));
            Assert.False(await directory.ExistsAsync(new TwinKey(TwinKind.Streetlight, id)));
            Assert.False(await directory.ExistsAsync(new TwinKey(TwinKind.RoadSensor, id + "x")));
        }

        // Unbinding the device leaves the twin (and its history) in place: it still exists.
        await fixture.Grains.GetDevice(devEui).DeleteAsync();
        Assert.True(await directories[^1].ExistsAsync(new TwinKey(TwinKind.RoadSensor, id)));
    }
}
