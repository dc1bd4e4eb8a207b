using TwinCity.Testing;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>The embedded city pointed at a real mosquitto broker (Mqtt:Host set), as a deployment would be.</summary>
public sealed class MosquittoCity : IAsyncLifetime
{
    public MosquittoBroker Broker { get; private set; } = null!;

    public CityAppFactory City { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Broker = await MosquittoBroker.StartAsync();
        City = new ExternalBrokerCity(Broker.Port);
        using HttpClient http = City.CreateClient();
        await IngestTestKit.WaitReadyAsync(http);
    }

    public async Task DisposeAsync()
    {
        await City.DisposeAsync();
        await Broker.DisposeAsync();
    }

    private sealed class ExternalBrokerCity(int port) : CityAppFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mqtt:ClientId"] = "twincity-test-" + Guid.NewGuid().ToString("N")[..8],
        };
    }
}
