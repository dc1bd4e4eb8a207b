using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Geo;

namespace TwinCity.Silo.Simulation;

/// <summary>
/// A traffic counter (twincity-traffic-v1): vehicles per interval follow the day with its rush hours,
/// occupancy rises with the flow and the mean speed falls as occupancy rises (a Greenshields-like
/// speed–density line), and now and then an incident slows the road to a crawl for a few minutes.
/// </summary>
internal sealed class TrafficCounterModel : SimulatedDevice
{
    public const double IncidentChance = 1.0 / 3_000;

    private readonly double _peakVehiclesPerHour;
    private readonly double _freeFlowKmh;
    private readonly RoadSurface _surface;
    private double? _batteryPct;
    private DateTime _incidentUntil;

    public TrafficCounterModel(SeedDevice seed, Random random)
        : base(seed, random)
    {
        // From a two-lane street to a six-lane avenue.
        _peakVehiclesPerHour = random.Between(600, 2_400);
        _freeFlowKmh = random.Between(45, 65);

        // Some counters carry a surface sensor; Baku's streets are dry most of the year.
        _surface = random.Chance(0.4) ? RoadSurface.Dry : RoadSurface.Unknown;

        // Most counters hang on lamp posts and take mains power; the others run on batteries.
        _batteryPct = random.Chance(0.3) ? random.Between(55, 100) : null;
    }

    public bool Incident { get; private set; }

    public void StartIncident(SimulationTime at, TimeSpan duration) => _incidentUntil = at.CityUtc + duration;

    protected override (byte[] Payload, int FPort) Produce(SimulationTime at, TimeSpan sinceLastReport, Random random)
    {
        if (at.CityUtc >= _incidentUntil && random.Chance(IncidentChance * EventRate))
        {
            StartIncident(at, TimeSpan.FromMinutes(random.Between(3, 10)));
        }

        Incident = at.CityUtc < _incidentUntil;
        double load = DailyProfile.Traffic(at.LocalHour) * Math.Clamp(1.0 + (random.Gaussian() * 0.08), 0.75, 1.25);

        // Counts are per aggregation interval, the counter's reporting interval in the registration.
        double perInterval = _peakVehiclesPerHour * load * Seed.ReportingIntervalSeconds / 3600.0;
        double occupancy = Math.Clamp(load * 42.0 * (1.0 + (random.Gaussian() * 0.05)), 0, 95);
        double speed = _freeFlowKmh * Math.Max(0.15, 1.0 - (occupancy / 75.0)) * (1.0 + (random.Gaussian() * 0.04));
        if (Incident)
        {
            // A stopped vehicle: the queue sits on the loop, few vehicles get through, slowly.
            perInterval *= random.Between(0.2, 0.5);
            occupancy = random.Between(60, 90);
            speed = random.Between(3, 12);
        }

        ushort count = (ushort)Math.Clamp(Math.Round(perInterval + (random.Gaussian() * Math.Sqrt(perInterval))), 0, ushort.MaxValue);
        if (_batteryPct is double battery)
        {
            _batteryPct = Math.Max(5, battery - 0.0005);
        }

        var frame = new TrafficFrame(
            count,
            count > 0 ? Math.Round(Math.Max(speed, 1), 1) : null,
            Math.Round(count > 0 ? occupancy : 0, 1),
            _surface,
            Incident,
            Hazard: false,
            Dark: SunTimes.IsNight(at.CityUtc, Position.Lat, Position.Lon),
            BatteryPct: _batteryPct is double b ? (byte)Math.Round(b) : null);
        return (TwinCityTrafficV1Codec.Encode(frame), TwinCityTrafficV1Codec.Port);
    }
}
