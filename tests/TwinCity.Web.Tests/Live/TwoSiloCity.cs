using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace TwinCity.Web.Tests.Live;

/// <summary>
/// Two silos in one Orleans cluster, each with its own web app, hub and ingest: a viewer on one and
/// uplinks through the other cross the cluster the way they do in production.
/// </summary>
public sealed class TwoSiloCity : IAsyncLifetime
{
    public CityAppFactory First { get; } = new SpreadingCity();

    public CityAppFactory Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _ = First.Server;
        Second = new JoiningCity(First.SiloPort);
        _ = Second.Server;
        using HttpClient first = First.CreateClient();
        using HttpClient second = Second.CreateClient();
        await Ingest.IngestTestKit.WaitReadyAsync(first);
        await Ingest.IngestTestKit.WaitReadyAsync(second);
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
    }

    /// <summary>
    /// Both silos place new twins at random: Orleans' default placement follows silo load, and two
    /// idle test silos would often keep every twin on one, leaving nothing to cross the cluster.
    /// </summary>
    private class SpreadingCity : CityAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<PlacementStrategy, RandomPlacement>());
        }

        /// <summary>The first silo lets the second join it.</summary>
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Orleans:Joinable"] = "true",
        };
    }

    private sealed class JoiningCity(int primarySiloPort) : SpreadingCity
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Orleans:PrimarySiloPort"] = primarySiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
