using TwinCity.Gateway.Ingest.Codecs;

namespace TwinCity.Silo.Simulation;

/// <summary>
/// A parking bay with a Bosch TPS110: cars arrive and leave at random (short stays and quick turnover
/// by day, long stays at night); the sensor reports each change on its status port and otherwise
/// sends heartbeats with its temperature, and its first frame after power-up is the start-up frame.
/// </summary>
internal sealed class ParkingBayModel : SimulatedDevice
{
    private DateTime _nextChange;
    private bool _reportedOccupied;
    private bool _started;

    public ParkingBayModel(SeedDevice seed, Random random)
        : base(seed, random)
    {
        Occupied = random.Chance(0.6);
    }

    public bool Occupied { get; private set; }

    protected override (byte[] Payload, int FPort) Produce(SimulationTime at, TimeSpan sinceLastReport, Random random)
    {
        if (_nextChange == default)
        {
            _nextChange = at.CityUtc + Dwell(at.LocalHour, random);
        }

        // Play every arrival and departure since the last report; only the latest state is sent.
        while (_nextChange <= at.CityUtc)
        {
            Occupied = !Occupied;
            double hour = (_nextChange + SimulationTime.BakuUtcOffset).TimeOfDay.TotalHours;
            _nextChange += Dwell(hour, random);
        }

        if (!_started)
        {
            _started = true;
            _reportedOccupied = Occupied;
            return BoschTps110Codec.EncodeStartUp(Occupied);
        }

        if (Occupied != _reportedOccupied)
        {
            _reportedOccupied = Occupied;
            return BoschTps110Codec.EncodeOccupancy(Occupied);
        }

        return BoschTps110Codec.EncodeHeartbeat(Occupied, Temperature(at, random));
    }

    private TimeSpan Dwell(double localHour, Random random)
    {
        bool day = DailyProfile.IsBusyDay(localHour);
        TimeSpan mean = Occupied
            ? (day ? TimeSpan.FromMinutes(50) : TimeSpan.FromHours(6))
            : (day ? TimeSpan.FromMinutes(8) : TimeSpan.FromMinutes(90));
        return random.Exponential(mean) + TimeSpan.FromMinutes(1);
    }

    /// <summary>Baku's air: about 4 °C in January, 27 °C in July, some degrees warmer in the afternoon; the casing adds sun.</summary>
    private static int Temperature(SimulationTime at, Random random)
    {
        double season = 15.5 - (11.5 * Math.Cos(2 * Math.PI * (at.CityLocal.DayOfYear - 20) / 365.25));
        double day = 4.0 * Math.Cos(2 * Math.PI * (at.LocalHour - 15) / 24.0);
        return (int)Math.Round(season + day + (random.Gaussian() * 1.5));
    }
}
