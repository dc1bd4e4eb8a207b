using System.Globalization;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Silo.Simulation;

/// <summary>
/// One simulated LoRaWAN device: its seed registration, frame counter and radio, and a model that
/// turns the passing of time into the frames its codec carries.
/// </summary>
internal abstract class SimulatedDevice
{
    private readonly double _obstructionDb;

    protected SimulatedDevice(SeedDevice seed, Random random)
    {
        Seed = seed;

        // Walls, trees and basements: most devices lose a little, meters in pits lose a lot.
        _obstructionDb = Math.Abs(random.Gaussian() * 5.0) + (seed.Kind == TwinKind.WaterMeter ? 8.0 : 0.0);
        DevAddr = ((uint)(ulong.Parse(seed.DevEui, NumberStyles.HexNumber, CultureInfo.InvariantCulture) * 2654435761UL) & 0x01FF_FFFF)
            .ToString("x8", CultureInfo.InvariantCulture);
    }

    public SeedDevice Seed { get; }

    public string DevEui => Seed.DevEui;

    public TwinKind Kind => Seed.Kind;

    /// <summary>The device address the network server gave it on joining (stable per device here).</summary>
    public string DevAddr { get; }

    public virtual GeoPoint Position => Seed.Position;

    /// <summary>The counter of the last frame sent; the first frame is 1.</summary>
    public uint FCnt { get; private set; }

    /// <summary>Whether the device has joined since the simulator started (its join event was published).</summary>
    public bool Joined { get; set; }

    /// <summary>Downlinks received and not yet answered: a confirmed one is acknowledged on the next uplink.</summary>
    public string? PendingAck { get; set; }

    public uint FCntDown { get; set; }

    /// <summary>City time of the last report, from which the models accumulate consumption.</summary>
    public DateTime? LastReportCityUtc { get; private set; }

    /// <summary>The next uplink, with the state advanced to <paramref name="at"/>.</summary>
    public DeviceFrame Report(SimulationTime at, Random random)
    {
        TimeSpan since = LastReportCityUtc is DateTime last && at.CityUtc > last ? at.CityUtc - last : TimeSpan.Zero;
        (byte[] payload, int port) = Produce(at, since, random);
        LastReportCityUtc = at.CityUtc;
        FCnt = unchecked(FCnt + 1);
        return new DeviceFrame(payload, port, FCnt);
    }

    public RadioSample Radio(Random random) => RadioModel.Sample(Position, _obstructionDb, random);

    /// <summary>A downlink for this device (application payload and port); false when it means nothing to it.</summary>
    public virtual bool Receive(int fPort, ReadOnlySpan<byte> data, SimulationTime at) => false;

    protected abstract (byte[] Payload, int FPort) Produce(SimulationTime at, TimeSpan sinceLastReport, Random random);

    /// <summary>The model for a seed device by its codec; null for codecs the simulator does not play.</summary>
    public static SimulatedDevice? Create(SeedDevice seed, CityMap map, Random random, double eventRate = 1.0)
    {
        SimulatedDevice? device = Model(seed, map, random);
        if (device is not null)
        {
            device.EventRate = eventRate;
        }

        return device;
    }

    /// <summary>How many times the city's own rate of faults and incidents this device has them (<see cref="SimulatorOptions.EventRate"/>).</summary>
    protected double EventRate { get; private set; } = 1.0;

    private static SimulatedDevice? Model(SeedDevice seed, CityMap map, Random random) => seed.Codec.ToLowerInvariant() switch
    {
        "dragino-lgt92" when seed.Kind == TwinKind.Bus => new BusModel(seed, seed.Route is { } r && map.Routes.TryGetValue(r, out BusRoute? route) ? route : null, random),
        "milesight-ws558" when seed.Kind == TwinKind.Streetlight => new StreetlightModel(seed, random),
        "axioma-qalcosonic-w1" when seed.Kind == TwinKind.WaterMeter => new WaterMeterModel(seed, random),
        "twincity-traffic-v1" when seed.Kind == TwinKind.RoadSensor => new TrafficCounterModel(seed, random),
        "bosch-tps110" when seed.Kind == TwinKind.RoadSensor => new ParkingBayModel(seed, random),
        _ => null,
    };
}
