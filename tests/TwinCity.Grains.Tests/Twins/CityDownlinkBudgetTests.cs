using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;
using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests.Twins;

/// <summary>
/// The city's downlink budget is one for the cluster: two silos taking commands at once start no
/// more downlinks than the city's bucket holds, where a budget per silo would let each spend its own.
/// </summary>
public sealed class CityDownlinkBudgetTests(CityDownlinkBudgetTests.TwoSilos silos) : IClassFixture<CityDownlinkBudgetTests.TwoSilos>
{
    private const int Burst = 10;
    private const int PerSecond = 2;
    private const int Lamps = 40;

    [Fact]
    public async Task Two_silos_together_start_no_more_downlinks_than_the_citys_bucket_holds()
    {
        IGrainFactory grains = silos.Cluster.GrainFactory;
        List<ITwinGrain> lamps = [];
        for (int i = 0; i < Lamps; i++)
        {
            (ITwinGrain lamp, _, _) = await TwinScenario.ProvisionAsync(grains, TwinKind.Streetlight);
            lamps.Add(lamp);
        }

        IManagementGrain management = grains.GetGrain<IManagementGrain>(0);
        HashSet<SiloAddress> hosts = [];
        foreach (ITwinGrain lamp in lamps)
        {
            await lamp.GetAsync();
            if (await management.GetActivationAddress(lamp) is { } host)
            {
                hosts.Add(host);
            }
        }

        Assert.True(hosts.Count == 2, $"the lamps' twins are on {hosts.Count} silo(s); the test needs both");

        var clock = Stopwatch.StartNew();
        CommandResult[] results = await Task.WhenAll(lamps.Select(lamp => lamp.IssueCommandAsync(
            new CommandRequest("dim", [Reading.Of(TwinProperty.DimLevel, 30)], "azerishig", TimeSpan.FromMinutes(5), """{"level":30}"""))));
        double elapsed = clock.Elapsed.TotalSeconds;

        int accepted = results.Count(r => r.Outcome == CommandOutcome.Accepted);
        CommandResult[] throttled = [.. results.Where(r => r.Outcome == CommandOutcome.Throttled)];
        int allowed = Burst + (int)Math.Ceiling(elapsed * PerSecond);
        Assert.True(accepted >= 1, "no command was accepted");
        Assert.True(accepted <= allowed, $"{accepted} downlinks started in {elapsed:F2} s; the city's bucket held {allowed}");
        Assert.Equal(Lamps, accepted + throttled.Length);
        Assert.All(throttled, r =>
        {
            Assert.True(r.RetryAfter > TimeSpan.Zero);
            Assert.Contains("city's downlink budget", r.Reason, StringComparison.Ordinal);
        });

        // The bucket refills at its rate, for whichever silo asks.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        CommandResult later = await lamps[^1].IssueCommandAsync(
            new CommandRequest("dim", [Reading.Of(TwinProperty.DimLevel, 31)], "azerishig", TimeSpan.FromMinutes(5), """{"level":31}"""));
        Assert.Equal(CommandOutcome.Accepted, later.Outcome);
    }

    /// <summary>Two silos with a small city budget, twins placed at random so that both take commands.</summary>
    public sealed class TwoSilos() : TestSilos<TwoSilos.Configurator>(2)
    {
        public sealed class Configurator : ISiloConfigurator
        {
            public void Configure(ISiloBuilder siloBuilder)
            {
                ClusterFixture.AddTestGrains(siloBuilder);
                siloBuilder.Services.AddSingleton<PlacementStrategy, RandomPlacement>();
                siloBuilder.Services.Configure<TwinOptions>(o =>
                {
                    o.CityDownlinkBurst = Burst;
                    o.CityDownlinksPerSecond = PerSecond;
                });
            }
        }
    }
}
