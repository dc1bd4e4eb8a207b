using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Twins;

/// <summary>Per kind: a typical uplink, a desired value and the reading that confirms it.</summary>
public sealed record TwinScenario(TwinKind Kind, Reading[] Uplink, Reading Desired, Reading Confirming)
{
    public static readonly TheoryData<TwinKind> Kinds = new(TwinKind.Streetlight, TwinKind.WaterMeter, TwinKind.RoadSensor, TwinKind.Bus);

    public static TwinScenario For(TwinKind kind) => kind switch
    {
        TwinKind.Streetlight => new(kind,
            [Reading.Of(TwinProperty.On, true), Reading.Of(TwinProperty.DimLevel, 80), Reading.Of(TwinProperty.PowerW, 61.5), Reading.Of(TwinProperty.BatteryPct, 97)],
            Reading.Of(TwinProperty.DimLevel, 100),
            Reading.Of(TwinProperty.DimLevel, 100)),
        TwinKind.WaterMeter => new(kind,
            [Reading.Of(TwinProperty.VolumeM3, 1234.567), Reading.Of(TwinProperty.Leak, false), Reading.Of(TwinProperty.Valve, "open")],
            Reading.Of(TwinProperty.Valve, "closed"),
            Reading.Of(TwinProperty.Valve, "closed")),
        TwinKind.RoadSensor => new(kind,
            [Reading.Of(TwinProperty.VehicleCount, 42), Reading.Of(TwinProperty.MeanSpeedKmh, 37.5), Reading.Of(TwinProperty.Incident, false)],
            Reading.Of(TwinProperty.Hazard, true),
            Reading.Of(TwinProperty.Hazard, true)),
        TwinKind.Bus => new(kind,
            [Reading.Of(TwinProperty.Lat, 40.4093), Reading.Of(TwinProperty.Lon, 49.8671), Reading.Of(TwinProperty.SpeedKmh, 31), Reading.Of(TwinProperty.Route, "5")],
            Reading.Of(TwinProperty.Route, "13"),
            Reading.Of(TwinProperty.Route, "13")),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Registers a fresh device on a fresh twin through the registry and returns both.</summary>
    public static async Task<(ITwinGrain Twin, ulong DevEui, string Id)> ProvisionAsync(
        IGrainFactory grains, TwinKind kind, int reportingIntervalSeconds = 600)
    {
        string id = $"T-{Guid.NewGuid():N}"[..20];
        ulong devEui = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        await grains.GetDevice(devEui).RegisterAsync(new DeviceRegistration(
            devEui, kind, id, "test " + id, new GeoPoint(40.40, 49.86), "cayenne-lpp", reportingIntervalSeconds));
        return (grains.GetTwin(kind, id), devEui, id);
    }

    /// <summary>Waits, up to 30 s, for idle collection to take an offline twin out of memory.</summary>
    public static async Task WaitUntilCollectedAsync(IManagementGrain management, ITwinGrain twin)
    {
        ArgumentNullException.ThrowIfNull(management);
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (await IsActiveAsync(management, twin))
        {
            Assert.True(DateTime.UtcNow < deadline, "an offline twin stayed active long past its idle age");
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Whether <paramref name="grain"/> is in memory on some silo, as the silos' catalogs list it. (Not
    /// <see cref="IManagementGrain.GetActivationAddress"/>, which asks the grain directory: a lone silo
    /// keeps none and answers every lookup with itself.)
    /// </summary>
    public static async Task<bool> IsActiveAsync(IManagementGrain management, IAddressable grain)
    {
        ArgumentNullException.ThrowIfNull(management);
        ArgumentNullException.ThrowIfNull(grain);
        GrainId id = grain.GetGrainId();
        return (await management.GetActiveGrains(id.Type)).Contains(id);
    }
}
