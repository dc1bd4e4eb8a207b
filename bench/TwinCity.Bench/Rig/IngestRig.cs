using TwinCity.Bench.Measure;
using TwinCity.Testing;

namespace TwinCity.Bench.Rig;

/// <summary>A broker and one silo wired to it: the silo's embedded broker, or a mosquitto of the bench's own.</summary>
public sealed class IngestRig : IAsyncDisposable
{
    private IngestRig(BrokerKind broker, BenchMosquitto? mosquitto, BenchSilo silo, int mqttPort)
    {
        Broker = broker;
        Mosquitto = mosquitto;
        Silo = silo;
        MqttPort = mqttPort;
    }

    public BrokerKind Broker { get; }

    public BenchMosquitto? Mosquitto { get; }

    public BenchSilo Silo { get; }

    public int MqttPort { get; }

    /// <summary>CPU of the platform side: the silo, plus mosquitto when it carries the uplinks.</summary>
    public double PlatformCpuSeconds() => Silo.CpuSeconds() + (Mosquitto?.CpuSeconds() ?? 0);

    /// <param name="subscribe">False for the baseline: the broker runs, ingest takes nothing.</param>
    public static async Task<IngestRig> StartAsync(BrokerKind broker, bool subscribe, string name, CancellationToken cancellationToken)
    {
        BenchMosquitto? mosquitto = broker == BrokerKind.Mosquitto ? await BenchMosquitto.StartAsync(cancellationToken) : null;
        int port = mosquitto?.Port ?? FreePort.Next();
        try
        {
            Progress.Say($"starting the silo ({name}, broker {broker}, port {port})");
            BenchSilo silo = await BenchSilo.StartAsync(new SiloSettings(mosquitto is null ? null : "127.0.0.1", port, subscribe, Name: name), cancellationToken);
            return new IngestRig(broker, mosquitto, silo, port);
        }
        catch
        {
            if (mosquitto is not null)
            {
                await mosquitto.DisposeAsync();
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Silo.DisposeAsync();
        if (Mosquitto is not null)
        {
            await Mosquitto.DisposeAsync();
        }
    }
}
