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

    /// <summary>
    /// Counts <paramref name="uplinks"/> at the bare subscriber, after <paramref name="warmup"/> uplinks
    /// that are counted apart, so that the baseline is taken as warm as ingest is.
    /// </summary>
    public static async Task<UplinkRun.WarmedRun> RunAsync(BrokerKind broker, int devices, long uplinks, DeviceMix mix, long warmup, CancellationToken cancellationToken)
    {
        if (broker == BrokerKind.Mosquitto)
        {
            await using BenchMosquitto mosquitto = await BenchMosquitto.StartAsync(cancellationToken);
            return await CountAsync(mosquitto.Port, mosquitto.CpuSeconds, devices, uplinks, mix, warmup, cancellationToken);
        }

        await using IngestRig rig = await IngestRig.StartAsync(broker, subscribe: false, "baseline", cancellationToken);
        return await CountAsync(rig.MqttPort, rig.Silo.CpuSeconds, devices, uplinks, mix, warmup, cancellationToken);
    }

    private static async Task<UplinkRun.WarmedRun> CountAsync(int port, Func<double> brokerCpu, int devices, long uplinks, DeviceMix mix, long warmup, CancellationToken cancellationToken)
    {
        await using CountingSubscriber counter = await CountingSubscriber.ConnectAsync(port, UplinkFactory.UpFilter, ReceiveMaximum, cancellationToken);
        return await UplinkRun.RunWarmedAsync(
            "baseline",
            new PublishPlan(port, devices, uplinks, mix),
            warmup,
            _ => Task.FromResult(counter.Count),
            brokerCpu,
            TimeSpan.FromMilliseconds(250),
            cancellationToken);
    }
}
