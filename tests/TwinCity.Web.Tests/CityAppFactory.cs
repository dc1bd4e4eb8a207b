using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using TwinCity.Testing;

namespace TwinCity.Web.Tests;

/// <summary>
/// The real embedded city in-process (Orleans, ingest, web), on ports of its own so that test
/// classes run side by side; no seed devices unless a test asks for them.
/// </summary>
public class CityAppFactory : WebApplicationFactory<Program>
{
    public int SiloPort { get; } = FreePort.Next();

    public int GatewayPort { get; } = FreePort.Next();

    public int MqttPort { get; } = FreePort.Next();

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Clients send the city's demo key unless a test says otherwise (<see cref="TestKeys"/>).</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add(TestKeys.Header, TestKeys.City);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Orleans:SiloPort", SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Mqtt:Port", MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Seed:Enabled", "false");
        builder.UseSetting("Simulator:DevicesPerSecond", "0");
        foreach ((string key, string? value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
