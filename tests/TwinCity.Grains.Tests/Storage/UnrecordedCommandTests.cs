using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Tests.Twins;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests.Storage;

/// <summary>
/// A command whose twin cannot write its snapshot is not answered as accepted: the caller hears that
/// nothing was done, nothing is sent, and the twin goes back to what it had recorded.
/// </summary>
public sealed class UnrecordedCommandTests : IClassFixture<UnrecordedCommandTests.Silo>
{
    private readonly IGrainFactory _grains;

    public UnrecordedCommandTests(Silo silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        _grains = silo.Cluster.GrainFactory;
    }

    [Fact]
    public async Task A_command_whose_snapshot_cannot_be_written_is_unavailable_not_accepted_and_leaves_no_trace()
    {
        (ITwinGrain lamp, _, _) = await TwinScenario.ProvisionAsync(_grains, TwinKind.Streetlight);
        CommandResult before = await lamp.IssueCommandAsync(new CommandRequest("dim", [Reading.Of(TwinProperty.DimLevel, 40)], "azerishig", TimeSpan.FromMinutes(5), """{"level":40}"""));
        Assert.Equal(CommandOutcome.Accepted, before.Outcome);
        long recorded = (await lamp.GetAsync())!.Version;

        CommandResult refused;
        SwitchableStorage.Failing = true;
        try
        {
            refused = await lamp.IssueCommandAsync(new CommandRequest(
                "dim", [Reading.Of(TwinProperty.DimLevel, 70)], "azerishig", TimeSpan.FromMinutes(5), """{"level":70}""", IdempotencyKey: "k-1", RequestHash: "h-1"));
        }
        finally
        {
            SwitchableStorage.Failing = false;
        }

        Assert.Equal(CommandOutcome.Unavailable, refused.Outcome);
        Assert.Null(refused.Command);
        Assert.True(refused.RetryAfter > TimeSpan.Zero);

        // Read again (the activation that could not record ended): the twin is as it was recorded.
        TwinDocument after = (await lamp.GetAsync())!;
        Assert.Equal(recorded, after.Version);
        Assert.Equal(40, after.Desired.Single(d => d.Property == TwinProperty.DimLevel).Value.Number);
        Assert.DoesNotContain(after.Commands, c => c.Sets.Any(s => s.Value.Number == 70));

        // The same key again once storage is back: a new command, not a replay of one never done.
        CommandResult retried = await lamp.IssueCommandAsync(new CommandRequest(
            "dim", [Reading.Of(TwinProperty.DimLevel, 70)], "azerishig", TimeSpan.FromMinutes(5), """{"level":70}""", IdempotencyKey: "k-1", RequestHash: "h-1"));
        Assert.Equal(CommandOutcome.Accepted, retried.Outcome);
        Assert.Equal(70, (await lamp.GetAsync())!.Desired.Single(d => d.Property == TwinProperty.DimLevel).Value.Number);
    }

    /// <summary>One silo whose twin snapshots go through <see cref="SwitchableStorage"/>.</summary>
    public sealed class Silo() : TestSilos<Silo.Configurator>(1)
    {
        public sealed class Configurator : ISiloConfigurator
        {
            public void Configure(ISiloBuilder siloBuilder)
            {
                ClusterFixture.AddTestGrains(siloBuilder);
                siloBuilder.AddMemoryGrainStorage("twin-inner");
                siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(
                    TwinStorage.Name,
                    (sp, _) => new SwitchableStorage(sp.GetRequiredKeyedService<IGrainStorage>("twin-inner")));
            }
        }
    }

    /// <summary>Twin storage whose writes fail while <see cref="Failing"/> is set.</summary>
    private sealed class SwitchableStorage(IGrainStorage inner) : IGrainStorage
    {
        public static volatile bool Failing;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            Failing ? Task.FromException(new IOException("the test's storage is failing")) : inner.WriteStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
