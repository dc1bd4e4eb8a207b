using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Geo;

namespace TwinCity.Silo.Simulation;

/// <summary>
/// A street lamp on a Milesight WS558 controller: a photocell closes the relays between dusk and
/// dawn, the controller meters voltage, power, power factor and energy, and now and then the lamp
/// fails.
/// </summary>
/// <remarks>
/// The WS558 reports no lamp diagnostics, so a failed lamp shows as it does in the field: relays
/// closed (<c>on</c>) while the metered power is next to nothing. A <c>switch</c> downlink overrides
/// the photocell until the photocell's own state next changes.
/// </remarks>
internal sealed class StreetlightModel : SimulatedDevice
{
    /// <summary>Chance per report that a working lamp fails.</summary>
    public const double FaultChance = 1.0 / 5_000;

    /// <summary>Chance per report that a failed lamp is repaired (a crew comes after a while).</summary>
    public const double RepairChance = 1.0 / 300;

    private static readonly double[] LampRatingsW = [50, 70, 90, 100, 120, 150];

    private readonly double _ratedW;
    private readonly TimeSpan _photocellOffset;
    private double _energyWh;
    private bool? _override;
    private bool _overrideSetAtNight;

    public StreetlightModel(SeedDevice seed, Random random)
        : base(seed, random)
    {
        _ratedW = LampRatingsW[random.Next(LampRatingsW.Length)];

        // Photocells differ by a few minutes, so a street does not switch as one.
        _photocellOffset = TimeSpan.FromMinutes(random.Between(-6, 6));

        // A lamp some years in service.
        _energyWh = random.Between(50_000, 900_000);
    }

    public bool On { get; private set; }

    public bool Fault { get; set; }

    public double PowerW { get; private set; }

    public double EnergyWh => _energyWh;

    /// <summary>Whether the photocell sees night at <paramref name="at"/>.</summary>
    public bool PhotocellNight(SimulationTime at) => SunTimes.IsNight(at.CityUtc + _photocellOffset, Position.Lat, Position.Lon);

    public override bool Receive(int fPort, ReadOnlySpan<byte> data, SimulationTime at)
    {
        // Milesight's control frame: 0x08, outputs addressed, their states.
        if (fPort != MilesightWs558Codec.Port || data.Length < 3 || data[0] != 0x08)
        {
            return false;
        }

        _override = (data[1] & data[2]) != 0;
        _overrideSetAtNight = PhotocellNight(at);
        return true;
    }

    protected override (byte[] Payload, int FPort) Produce(SimulationTime at, TimeSpan sinceLastReport, Random random)
    {
        // Energy for the time since the last report, at the draw the lamp had then.
        _energyWh += PowerW * sinceLastReport.TotalHours;

        bool night = PhotocellNight(at);
        if (_override is not null && night != _overrideSetAtNight)
        {
            _override = null;
        }

        On = _override ?? night;
        if (Fault ? random.Chance(RepairChance) : random.Chance(FaultChance * EventRate))
        {
            Fault = !Fault;
        }

        double voltage = 230.0 + (random.Gaussian() * 2.5);
        double powerFactor;
        if (!On)
        {
            // The controller's own standby draw.
            PowerW = random.Between(0, 2);
            powerFactor = random.Between(0.35, 0.6);
        }
        else if (Fault)
        {
            PowerW = random.Between(0, 0.6);
            powerFactor = random.Between(0.2, 0.5);
        }
        else
        {
            PowerW = _ratedW * (1.0 + (random.Gaussian() * 0.015)) * (voltage / 230.0);
            powerFactor = Math.Clamp(0.95 + (random.Gaussian() * 0.01), 0.9, 0.99);
        }

        return MilesightWs558Codec.Encode(voltage, PowerW, powerFactor, _energyWh, On);
    }
}
