using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Rules;

namespace TwinCity.Grains.Tests.Rules;

/// <summary>A rule's firings are written to grain storage (PostgreSQL in cluster mode), so they outlive the silo that recorded them.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RuleFiringsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Firings_are_stored_in_the_order_they_happened_and_listed_newest_first()
    {
        string rule = "firings-" + Guid.NewGuid().ToString("N")[..8];
        IRuleFiringsGrain firings = fixture.Grains.GetGrain<IRuleFiringsGrain>(rule);
        var source = new TwinKey(TwinKind.RoadSensor, "RS-1");
        DateTime first = DateTime.UtcNow.AddMinutes(-5);

        // Recorded one-way and out of order, as twins on different silos would.
        foreach (int i in new[] { 2, 3, 1 })
        {
            await firings.RecordAsync(new RuleFiring(rule, source, [], ["roads"], first.AddSeconds(i), $"firing {i}", new GeoPoint(40.4, 49.9)));
        }

        await RuleKit.Eventually(async () => (await firings.ListAsync(10)).Length == 3, "the firings recorded");
        Assert.Equal(["firing 3", "firing 2", "firing 1"], (await firings.ListAsync(10)).Select(f => f.Message));
        Assert.Equal(["firing 3", "firing 2"], (await firings.ListAsync(2)).Select(f => f.Message));

        var silo = (InProcessSiloHandle)fixture.Cluster.Primary!;
        IGrainStorage storage = silo!.SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(TwinStorage.Registry);
        var stored = new GrainState<RuleFiringsState>();
        await RuleKit.Eventually(async () =>
        {
            await storage.ReadStateAsync("rule-firings", firings.GetGrainId(), stored);
            return stored.State?.Firings.Count == 3;
        }, "the firings written to storage");
        Assert.Equal(["firing 1", "firing 2", "firing 3"], stored.State!.Firings.Select(f => f.Message));
    }
}
