using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Silo.Simulation;

/// <summary>
/// Every simulated device and whose turn it is to report. Not thread-safe: the simulator's loop is
/// its only caller.
/// </summary>
/// <remarks>
/// Turns are a weighted round-robin: each device recurs in proportion to how often its registration
/// says it reports (a bus every 30 s, a meter every 15 min), so that whatever the total rate, buses
/// report many times for each meter reading, and every device gets its turn.
/// </remarks>
internal sealed class SimulatedCity
{
    private readonly SimulatedDevice[] _devices;
    private readonly BusModel[] _buses;
    private readonly Dictionary<ulong, SimulatedDevice> _byDevEui;
    private readonly PriorityQueue<SimulatedDevice, double> _schedule = new();
    private readonly Queue<SimulatedDevice> _urgent = new();
    private readonly Random _random;
    private readonly CityClock _clock;
    private readonly ChirpStackMessages _messages;
    private DateTime _lastMove;

    public SimulatedCity(IEnumerable<SeedDevice> seeds, CityMap map, string applicationId, int seed, double timeScale, DateTime startUtc, double eventRate = 1.0)
    {
        _random = new Random(seed);
        _clock = new CityClock(startUtc, timeScale);
        _messages = new ChirpStackMessages(applicationId);
        _lastMove = startUtc;

        var devices = new List<SimulatedDevice>();
        var unsupported = new List<SeedDevice>();
        foreach (SeedDevice s in seeds)
        {
            if (SimulatedDevice.Create(s, map, _random, eventRate) is { } device)
            {
                devices.Add(device);
            }
            else
            {
                unsupported.Add(s);
            }
        }

        _devices = [.. devices];
        _buses = [.. devices.OfType<BusModel>()];
        Unsupported = unsupported;
        _byDevEui = [];
        foreach (SimulatedDevice d in _devices)
        {
            _byDevEui[ulong.Parse(d.DevEui, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture)] = d;

            // Spread the first turns over one period, as devices powered up at different times would.
            _schedule.Enqueue(d, _random.NextDouble() * d.Seed.ReportingIntervalSeconds);
        }
    }

    public IReadOnlyList<SimulatedDevice> Devices => _devices;

    public IReadOnlyList<BusModel> Buses => _buses;

    /// <summary>Seed devices with a codec the simulator does not play (they stay silent).</summary>
    public IReadOnlyList<SeedDevice> Unsupported { get; }

    public ChirpStackMessages Messages => _messages;

    /// <summary>Reads the seed files; a missing city file only leaves the buses parked.</summary>
    public static SimulatedCity Load(string devicesPath, string? cityPath, string applicationId, int seed, double timeScale, DateTime startUtc, Action<int, string>? skipped = null, double eventRate = 1.0)
    {
        IReadOnlyList<SeedDevice> devices = SeedDevice.ReadAll(devicesPath, skipped);
        CityMap map = cityPath is not null && File.Exists(cityPath) ? CityMap.Load(cityPath) : CityMap.Empty;
        return new SimulatedCity(devices, map, applicationId, seed, timeScale, startUtc, eventRate);
    }

    /// <summary>Moves the buses to where they are at <paramref name="realUtc"/>.</summary>
    public void Advance(DateTime realUtc)
    {
        TimeSpan elapsed = realUtc - _lastMove;
        if (elapsed <= TimeSpan.Zero)
        {
            return;
        }

        _lastMove = realUtc;
        SimulationTime at = _clock.At(realUtc);
        foreach (BusModel bus in _buses)
        {
            bus.Move(elapsed, at, _random);
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> devices report: each adds its uplink (preceded by its join
    /// on its first turn, followed by the acknowledgement of a confirmed downlink it received).
    /// </summary>
    public void TakeTurns(int count, DateTime realUtc, List<OutgoingMessage> output)
    {
        if (_devices.Length == 0)
        {
            return;
        }

        SimulationTime at = _clock.At(realUtc);
        for (int i = 0; i < count; i++)
        {
            SimulatedDevice device = _urgent.Count > 0 ? _urgent.Dequeue() : NextScheduled();
            if (!device.Joined)
            {
                device.Joined = true;
                output.Add(_messages.Join(device, realUtc, _random));
            }

            DeviceFrame frame = device.Report(at, _random);
            output.Add(_messages.Up(device, frame, device.Radio(_random), realUtc, _random));
            if (device.PendingAck is { } queueItemId)
            {
                device.PendingAck = null;
                output.Add(_messages.Ack(device, queueItemId, realUtc, _random));
            }
        }
    }

    /// <summary>
    /// A downlink the network server was asked to send. A device that understands it acts on it and
    /// reports on the next turn; the gateway's transmission is confirmed at once with a txack.
    /// </summary>
    public bool Deliver(string devEui, int fPort, byte[] data, string? queueItemId, bool confirmed, DateTime realUtc, List<OutgoingMessage> output)
    {
        if (!DevEui.TryParse(devEui, out ulong eui) || !_byDevEui.TryGetValue(eui, out SimulatedDevice? device))
        {
            return false;
        }

        device.FCntDown++;
        string id = queueItemId ?? Guid.NewGuid().ToString();
        output.Add(_messages.TxAck(device, id, device.Radio(_random), realUtc, _random));
        if (confirmed)
        {
            device.PendingAck = id;
        }

        if (device.Receive(fPort, data, _clock.At(realUtc)) || confirmed)
        {
            _urgent.Enqueue(device);
        }

        return true;
    }

    private SimulatedDevice NextScheduled()
    {
        _schedule.TryDequeue(out SimulatedDevice? device, out double due);
        _schedule.Enqueue(device!, due + device!.Seed.ReportingIntervalSeconds);
        return device;
    }

    /// <summary>The devices of a kind, for tests and the start-up log.</summary>
    public int Count(TwinKind kind) => _devices.Count(d => d.Kind == kind);
}
