using TwinCity.Gateway.Ingest.Codecs;

namespace TwinCity.Silo.Simulation;

/// <summary>
/// A household's Axioma Qalcosonic W1 meter: volume grows with a demand that follows the day, a leak
/// now and then adds a steady trickle (what makes the meter raise its leak alarm), and very rarely a
/// burst pipe makes the flow jump.
/// </summary>
internal sealed class WaterMeterModel : SimulatedDevice
{
    /// <summary>The most a household draws in normal use.</summary>
    public const double MaxHouseholdFlowM3h = 1.5;

    public const double LeakChance = 1.0 / 5_000;

    public const double BurstChance = 1.0 / 100_000;

    private readonly double _household;
    private double _volumeM3;
    private DateTime _leakUntil;
    private double _leakM3h;
    private DateTime _burstUntil;
    private double _burstM3h;
    private bool _alarmDue;

    public WaterMeterModel(SeedDevice seed, Random random)
        : base(seed, random)
    {
        // From a flat for one to a large family: the peak draw of the household.
        _household = random.Between(0.35, 1.0);
        _volumeM3 = random.Between(40, 2_500);
    }

    public double VolumeM3 => _volumeM3;

    public double FlowM3h { get; private set; }

    public bool Leak { get; private set; }

    public bool Burst { get; private set; }

    /// <summary>Starts a leak (or a burst) now, lasting <paramref name="duration"/> on the city clock.</summary>
    public void StartAlarm(SimulationTime at, TimeSpan duration, bool burst, Random random)
    {
        if (burst)
        {
            _burstUntil = at.CityUtc + duration;
            _burstM3h = random.Between(3, 8);
        }
        else
        {
            _leakUntil = at.CityUtc + duration;
            _leakM3h = random.Between(0.01, 0.08);
        }
    }

    protected override (byte[] Payload, int FPort) Produce(SimulationTime at, TimeSpan sinceLastReport, Random random)
    {
        // What flowed since the last report, at the rate the meter saw then.
        _volumeM3 += FlowM3h * sinceLastReport.TotalHours;

        if (at.CityUtc >= _leakUntil && random.Chance(LeakChance * EventRate))
        {
            StartAlarm(at, TimeSpan.FromHours(random.Between(2, 12)), burst: false, random);
        }

        if (at.CityUtc >= _burstUntil && random.Chance(BurstChance * EventRate))
        {
            StartAlarm(at, TimeSpan.FromMinutes(random.Between(15, 45)), burst: true, random);
        }

        bool leak = at.CityUtc < _leakUntil;
        bool burst = at.CityUtc < _burstUntil;
        if ((leak && !Leak) || (burst && !Burst))
        {
            _alarmDue = true;
        }

        Leak = leak;
        Burst = burst;

        double demand = MaxHouseholdFlowM3h * _household * DailyProfile.WaterDemand(at.LocalHour) * Math.Exp(random.Gaussian() * 0.35);

        // Taps are mostly closed: a share of the samples sees no household draw at all.
        if (random.Chance(0.3 + (0.5 * (1 - DailyProfile.WaterDemand(at.LocalHour)))))
        {
            demand = 0;
        }

        FlowM3h = Math.Clamp(demand, 0, MaxHouseholdFlowM3h) + (leak ? _leakM3h : 0) + (burst ? _burstM3h : 0);

        if (_alarmDue)
        {
            // The meter sends an alarm frame as soon as an alarm rises, then its regular frames.
            _alarmDue = false;
            return AxiomaQalcosonicW1Codec.EncodeAlarm(at.RealUtc, leak, burst, backflow: false);
        }

        return AxiomaQalcosonicW1Codec.Encode(at.RealUtc, _volumeM3, leak, burst, backflow: false);
    }
}
