using TwinCity.Bench.Cli;
using TwinCity.Bench.Load;
using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Scenarios;

/// <summary>Options several scenarios share.</summary>
public static class ScenarioOptions
{
    public static BrokerKind Broker(BenchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string text = args.Text("broker", "embedded");
        return Enum.TryParse(text, ignoreCase: true, out BrokerKind broker)
            ? broker
            : throw new BenchUsageException($"--broker must be embedded or mosquitto, not '{text}'");
    }

    public static DeviceMix Mix(BenchArgs args, DeviceMix fallback)
    {
        ArgumentNullException.ThrowIfNull(args);
        string text = args.Text("mix", fallback.ToString());
        return Enum.TryParse(text, ignoreCase: true, out DeviceMix mix)
            ? mix
            : throw new BenchUsageException($"--mix must be city or streetlights, not '{text}'");
    }

    public static int Positive(BenchArgs args, string name, int fallback)
    {
        ArgumentNullException.ThrowIfNull(args);
        int value = args.Count(name, fallback);
        return value > 0 ? value : throw new BenchUsageException($"--{name} must be at least 1");
    }
}
