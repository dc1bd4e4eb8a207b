using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Silo.Simulation;

/// <summary>
/// A bus with a Dragino LGT-92 tracker, driving its route's path back and forth: it cruises at
/// 15–40 km/h (slower in the rush hours), accelerates and brakes, waits at stops and turns round at
/// the ends. It moves on every simulator tick, so each report finds it a little further on.
/// </summary>
internal sealed class BusModel : SimulatedDevice
{
    public const double MinCruiseKmh = 15;
    public const double MaxCruiseKmh = 40;

    /// <summary>Gentle for standing passengers: about 0.8 m/s².</summary>
    private const double AccelerationKmhPerS = 3.0;

    private readonly RoutePath _path;
    private readonly IReadOnlyList<double> _stops;
    private double _targetKmh;
    private double _untilRetargetS;
    private double _dwellS;
    private double _batteryV;

    public BusModel(SeedDevice seed, BusRoute? route, Random random)
        : base(seed, random)
    {
        // Without its route the bus stays parked where it was registered.
        Route = route;
        _path = route?.Path ?? new RoutePath([seed.Position]);
        _stops = route?.StopsAlongM ?? [];
        AlongM = _path.Locate(seed.Position);
        Direction = random.Next(2) == 0 ? 1 : -1;
        _targetKmh = random.Between(MinCruiseKmh, MaxCruiseKmh);
        SpeedKmh = _targetKmh;
        _untilRetargetS = random.Between(10, 40);
        _batteryV = random.Between(3.8, 4.15);
    }

    public BusRoute? Route { get; }

    public RoutePath Path => _path;

    /// <summary>Metres from the start of the path.</summary>
    public double AlongM { get; private set; }

    /// <summary>+1 towards the end of the path, -1 back towards its start.</summary>
    public int Direction { get; private set; }

    public double SpeedKmh { get; private set; }

    /// <summary>Everything the bus has driven since the simulator started.</summary>
    public double OdometerM { get; private set; }

    public override GeoPoint Position => _path.At(AlongM);

    /// <summary>Drives for <paramref name="elapsed"/> of wall-clock time.</summary>
    public void Move(TimeSpan elapsed, SimulationTime at, Random random)
    {
        if (_path.LengthM <= 0)
        {
            return;
        }

        // After a long pause (a debugger, a suspended laptop) the bus does not teleport across town.
        double remaining = Math.Min(elapsed.TotalSeconds, 120);
        while (remaining > 1e-6)
        {
            if (_dwellS > 0)
            {
                double wait = Math.Min(_dwellS, remaining);
                _dwellS -= wait;
                remaining -= wait;
                SpeedKmh = 0;
                continue;
            }

            double dt = Math.Min(remaining, 1.0);
            _untilRetargetS -= dt;
            if (_untilRetargetS <= 0)
            {
                double top = DailyProfile.IsRushHour(at.LocalHour) ? 28 : MaxCruiseKmh;
                _targetKmh = random.Between(MinCruiseKmh, top);
                _untilRetargetS = random.Between(15, 45);
            }

            double step = AccelerationKmhPerS * dt;
            SpeedKmh = SpeedKmh < _targetKmh ? Math.Min(_targetKmh, SpeedKmh + step) : Math.Max(_targetKmh, SpeedKmh - step);
            double travel = SpeedKmh / 3.6 * dt;
            double next = NextHalt();
            double gap = Math.Abs(next - AlongM);
            if (travel >= gap)
            {
                AlongM = next;
                OdometerM += gap;
                remaining -= SpeedKmh > 0 ? Math.Min(dt, gap / (SpeedKmh / 3.6)) : dt;
                bool end = next <= 0 || next >= _path.LengthM;
                if (end)
                {
                    Direction = -Direction;
                }

                // A stop takes a few passengers; a terminus is a layover for the driver.
                _dwellS = end ? random.Between(20, 60) : random.Between(8, 25);
                SpeedKmh = 0;
            }
            else
            {
                AlongM += Direction * travel;
                OdometerM += travel;
                remaining -= dt;
            }
        }
    }

    protected override (byte[] Payload, int FPort) Produce(SimulationTime at, TimeSpan sinceLastReport, Random random)
    {
        _batteryV = Math.Max(3.35, _batteryV - 0.00002);
        GeoPoint p = Position;
        return DraginoLgt92Codec.EncodeLocation(p.Lat, p.Lon, _batteryV);
    }

    /// <summary>The next place the bus must halt: the next stop ahead, else the end of the path.</summary>
    private double NextHalt()
    {
        const double Passed = 0.5;
        if (Direction > 0)
        {
            foreach (double stop in _stops)
            {
                if (stop > AlongM + Passed)
                {
                    return stop;
                }
            }

            return _path.LengthM;
        }

        for (int i = _stops.Count - 1; i >= 0; i--)
        {
            if (_stops[i] < AlongM - Passed)
            {
                return _stops[i];
            }
        }

        return 0;
    }
}
