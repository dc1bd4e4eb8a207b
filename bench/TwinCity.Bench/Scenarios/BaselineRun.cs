using TwinCity.Bench.Load;
using TwinCity.Bench.Publishing;
using TwinCity.Bench.Rig;

namespace TwinCity.Bench.Scenarios;

/// <summary>
/// The physical limit of the rig: the same publisher and the same broker as ingest, with a bare
/// subscriber that only counts. With the embedded broker the silo runs with ingest switched off
/// (Mqtt:Subscribe=false), so the broker is the very one ingest would use.
/// </summary>
public static class BaselineRun
{
    /// <summary>The same receive maximum ingest asks for (Mqtt:InFlight's default).</summary>
    public const int ReceiveMaximum = 1000;

    public static async Task<UplinkRunResult> RunAsync(BrokerKind broker, int devices, long uplinks, DeviceMix mix, CancellationToken cancellationToken)
    {
        await using IngestRig rig = await IngestRig.StartAsync(broker, subscribe: false, "baseline", cancellationToken);
        await using CountingSubscriber counter = await CountingSubscriber.ConnectAsync(rig.MqttPort, UplinkFactory.UpFilter, ReceiveMaximum, cancellationToken);
        Func<double> cpu = broker == BrokerKind.Mosquitto ? rig.Mosquitto!.CpuSeconds : rig.Silo.CpuSeconds;
        return await UplinkRun.RunAsync(
            "baseline",
            new PublishPlan(rig.MqttPort, devices, uplinks, mix),
            _ => Task.FromResult(counter.Count),
            cpu,
            TimeSpan.FromMilliseconds(250),
            cancellationToken);
    }
}
